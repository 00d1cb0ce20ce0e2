import { afterEach, describe, expect, it } from "vitest";
import {
  admin,
  adminChat,
  forum,
  group,
  guest,
  member,
  memberChat,
  startHarness,
  type TelegramHarness,
} from "./harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Whether any planner call got this text on stdin. */
async function plannerSaw(harness: TelegramHarness, text: string): Promise<boolean> {
  return (await harness.plannerCalls()).some((call) => call.stdin.includes(text));
}

describe("telegram adapter: answers to the planner", () => {
  it("in a supergroup, replies to the bot's question reach the planner and other chatter does not", async () => {
    h = await startHarness();
    const plan = await h.say({ chat: group, from: member, text: "/plan shop-app A small web shop" });
    expect(plan.reply.plain_text).toContain("Planning shop-app");
    expect(plan.reply.plain_text).toMatch(/1\. Who will use shop-app/);
    expect(plan.reply.reply_parameters).toMatchObject({ message_id: plan.message.message_id });
    expect(await h.plannerCalls()).toHaveLength(1);

    // Not answers: chatter, a reply to another user, a reply to the bot by a guest is refused by the core.
    h.fake.sendMessage({ chat: group, from: admin, text: "chatter: coffee at 3?" });
    h.fake.sendMessage({
      chat: group,
      from: admin,
      text: "reply to a person: sounds good",
      replyToMessageId: plan.message.message_id,
    });
    const refused = await h.say({
      chat: group,
      from: guest,
      text: "guest answer",
      replyToMessageId: plan.reply.message_id,
    });
    expect(refused.reply.plain_text).toMatch(/answering the planner needs the member role/);

    const answer = await h.say({
      chat: group,
      from: member,
      text: "Shoppers buy socks; Node only",
      replyToMessageId: plan.reply.message_id,
    });
    expect(answer.reply.plain_text).toContain('You answered: "Shoppers buy socks; Node only"');
    expect(answer.reply.plain_text).toMatch(/Phase ready/);
    expect(answer.reply.reply_parameters).toMatchObject({ message_id: answer.message.message_id });
    // A ready phase is a choice: Next phase · Keep talking, each carrying the choice's id.
    expect(answer.reply.reply_markup?.inline_keyboard).toEqual([
      [
        { text: "Next phase", callback_data: expect.stringMatching(/^![\w-]+\/next$/) },
        { text: "Keep talking", callback_data: expect.stringMatching(/^![\w-]+\/keep-talking$/) },
      ],
    ]);

    const calls = await h.plannerCalls();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.stdin).toContain("Shoppers buy socks; Node only");
    for (const text of ["coffee at 3", "sounds good", "guest answer"])
      expect(await plannerSaw(h, text), text).toBe(false);
    // The planner worked, so "typing…" was shown in the group.
    expect(
      h.fake.calls.some(
        (c) => c.method === "sendChatAction" && c.params.chat_id === group.id && c.params.action === "typing",
      ),
    ).toBe(true);
  });

  it("in a forum, /plan inside a topic binds the topic: every message there is an answer, other topics and General are not", async () => {
    h = await startHarness();
    const topic = h.fake.createForumTopic(forum, "shop planning").threadId;
    const other = h.fake.createForumTopic(forum, "random").threadId;
    const plan = await h.say({
      chat: forum,
      from: member,
      text: "/plan forum-app A forum planned app",
      threadId: topic,
    });
    expect(plan.reply.message_thread_id).toBe(topic);
    expect(plan.reply.plain_text).toContain("Planning forum-app");
    const typing = h.fake.calls.find((c) => c.method === "sendChatAction" && c.params.chat_id === forum.id);
    expect(typing?.params).toMatchObject({ action: "typing", message_thread_id: topic });

    h.fake.sendMessage({ chat: forum, from: member, text: "general chatter" });
    h.fake.sendMessage({ chat: forum, from: member, text: "other topic chatter", threadId: other });
    // Not a reply to anything: every topic message "replies" to the topic-creation message, which is no reply to the bot.
    const answer = await h.say({ chat: forum, from: member, text: "Forum users; any stack", threadId: topic });
    expect(answer.message.reply_to_message?.message_id).toBe(topic);
    expect(answer.reply.message_thread_id).toBe(topic);
    expect(answer.reply.plain_text).toContain('You answered: "Forum users; any stack"');

    const sessions = await h.sessions();
    expect(Object.keys(sessions)).toEqual([`telegram:${forum.id}:${topic}`]);
    expect(await plannerSaw(h, "general chatter")).toBe(false);
    expect(await plannerSaw(h, "other topic chatter")).toBe(false);
    expect(h.fake.sentMessages(forum.id).every((m) => m.message_thread_id === topic)).toBe(true);
  });

  it("in a private chat with a session, any message is an answer and replies are not threaded", async () => {
    h = await startHarness();
    const plan = await h.say({ chat: adminChat, from: admin, text: "/plan dm-app Planned in a DM" });
    expect(plan.reply.reply_parameters).toBeUndefined();
    const answer = await h.say({ chat: adminChat, from: admin, text: "Just me; TypeScript" });
    expect(answer.reply.plain_text).toContain('You answered: "Just me; TypeScript"');
    const next = await h.say({ chat: adminChat, from: admin, text: "/next" });
    expect(next.reply.plain_text).toMatch(/Design for dm-app/);
    expect(next.reply.plain_text).toContain("Approach"); // "## Approach" is rendered as bold
    expect(next.reply.entities.some((e) => e.type === "bold")).toBe(true);
  });

  it("keeps 'typing…' up while a slow planner turn runs, in the chat where it was asked", async () => {
    h = await startHarness({ adapter: { typingIntervalMs: 100 } });
    await h.say({ chat: memberChat, from: member, text: "/plan slow-app A slowly planned app" });
    const before = h.fake.calls.filter((c) => c.method === "sendChatAction").length;
    const answer = await h.say({ chat: memberChat, from: member, text: "Take your time [[fake:slow=700]]" });
    expect(answer.reply.plain_text).toContain("You answered");
    const actions = h.fake.calls.filter((c) => c.method === "sendChatAction").slice(before);
    expect(actions.length).toBeGreaterThanOrEqual(4);
    expect(actions.every((c) => c.ok && c.params.chat_id === memberChat.id && c.params.action === "typing")).toBe(true);
    // It stops with the turn.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.fake.calls.filter((c) => c.method === "sendChatAction").length).toBe(before + actions.length);
  });
});
