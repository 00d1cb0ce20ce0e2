import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createCallbackCodec } from "../../src/adapters/telegram/callback-data.ts";
import { isReplyToBot, routeMessage, sequenceKey, toIncoming } from "../../src/adapters/telegram/routing.ts";
import { htmlToPlainText, inlineKeyboard } from "../../src/adapters/telegram/sender.ts";

const me = { id: 777, username: "planbot_test_bot" };
const user = { id: 5, is_bot: false, first_name: "Eve" };
const group = { id: -100, type: "supergroup" as const, title: "G", is_forum: true as const };

function message(extra: Partial<Message> & { text?: string }): Message {
  return { message_id: 50, date: 1, chat: group, from: user, ...extra } as Message;
}

describe("telegram routing rules", () => {
  it("translates Telegram facts into an audience; which commands are known is the core's call", () => {
    const handle = (audience: string) => ({ kind: "handle", audience });
    expect(routeMessage(message({ text: "/p x y" }), me)).toEqual(handle("chatter"));
    expect(routeMessage(message({ text: "/p@Planbot_Test_Bot x y" }), me)).toEqual(handle("direct"));
    expect(routeMessage(message({ text: "/p@otherbot x y" }), me)).toEqual({
      kind: "ignore",
      reason: "command for another bot",
    });
    expect(routeMessage(message({ text: "/weather@planbot_test_bot" }), me)).toEqual(handle("direct"));
    expect(
      routeMessage(message({ text: "/weather", chat: { id: 5, type: "private", first_name: "Eve" } }), me),
    ).toEqual(handle("direct"));
    expect(routeMessage(message({ text: "in a topic", is_topic_message: true, message_thread_id: 9 }), me)).toEqual(
      handle("shared"),
    );
    expect(routeMessage(message({ text: "/p x", from: { ...user, is_bot: true } }), me).kind).toBe("ignore");
  });

  it("the topic-creation message is never a reply to the bot, even when the bot created the topic", () => {
    const created = {
      message_id: 9,
      date: 1,
      chat: group,
      from: { id: me.id, is_bot: true, first_name: "bot" },
      forum_topic_created: { name: "t", icon_color: 1 },
    } as Message;
    const inTopic = message({
      text: "hi",
      is_topic_message: true,
      message_thread_id: 9,
      reply_to_message: created as Message & { reply_to_message: undefined },
    });
    expect(isReplyToBot(inTopic, me.id)).toBe(false);
    expect(toIncoming(inTopic, user, "hi")).toEqual({
      adapter: "telegram",
      channelId: "-100",
      threadId: "9",
      userId: "5",
      userName: "Eve",
      text: "hi",
    });
    expect(sequenceKey(inTopic)).toBe("-100:9");

    const botMessage = {
      message_id: 12,
      date: 1,
      chat: group,
      from: { id: me.id, is_bot: true, first_name: "bot" },
      text: "q?",
    } as Message;
    const reply = message({ text: "a", reply_to_message: botMessage as Message & { reply_to_message: undefined } });
    expect(isReplyToBot(reply, me.id)).toBe(true);
    expect(routeMessage(reply, me)).toEqual({ kind: "handle", audience: "shared" });
    expect(toIncoming(reply, user, "a").replyTo).toBe("12");
    expect(routeMessage(message({ text: "chatter" }), me)).toEqual({ kind: "handle", audience: "chatter" });
    // A reply thread outside forums has a message_thread_id but is no topic.
    expect(sequenceKey(message({ message_thread_id: 12 }))).toBe("-100");
  });

  it("callback data: short commands as is, long ones as tokens that decode in this process only", () => {
    const codec = createCallbackCodec(2);
    expect(codec.encode("/approve a")).toBe("/approve a");
    const long = `/replan ${"y".repeat(60)} --force`;
    const token = codec.encode(long);
    expect(Buffer.byteLength(token)).toBeLessThanOrEqual(64);
    expect(codec.encode(long)).toBe(token);
    expect(codec.decode(token)).toEqual({ kind: "command", command: long });
    expect(createCallbackCodec().decode(token)).toMatchObject({
      kind: "expired",
      hint: expect.stringMatching(/^\/replan y+…$/),
    });
    // Bounded: the oldest token is forgotten first.
    codec.encode(`${long} 1`);
    codec.encode(`${long} 2`);
    expect(codec.decode(token).kind).toBe("expired");
    expect(codec.decode("garbage")).toEqual({ kind: "expired", hint: "the command" });
  });

  it("keyboards have at most three buttons a row; the plain-text fallback undoes the renderer's HTML", () => {
    const codec = createCallbackCodec();
    const actions = ["a", "b", "c", "d"].map((label) => ({ label, command: `/status ${label}` }));
    expect(inlineKeyboard(actions, codec)?.inline_keyboard.map((row) => row.length)).toEqual([3, 1]);
    expect(inlineKeyboard([], codec)).toBeUndefined();
    expect(htmlToPlainText(`<b>a &lt; b</b> &amp;&amp; <a href="https://x?a=1&amp;b">x</a>`)).toBe("a < b && x");
  });
});
