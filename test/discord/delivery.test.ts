// Delivery under Discord's rules: 429s waited out and retried once, REST failures told to the user and
// logged, expired interactions falling back to the channel, and the Outbound port's typed failures.
import { afterEach, describe, expect, it } from "vitest";
import type { Reply } from "../../src/chat/reply.ts";
import {
  answered,
  buttonIds,
  closeAll,
  createdThread,
  eventually,
  GENERAL,
  member,
  messagesMatching,
  startHarness,
  transcriptBodies,
} from "./harness.ts";

afterEach(closeAll);

describe("discord adapter: delivery", () => {
  it("waits out a 429 on a reply and delivers it exactly once", async () => {
    const h = await startHarness();
    h.fake.failNext({
      method: "POST",
      pathIncludes: `/channels/${GENERAL}/messages`,
      status: 429,
      retryAfterSeconds: 0.2,
    });
    await h.fake.sendMessage({ channelId: GENERAL, author: member, content: "/whoami" });
    await eventually(() => messagesMatching(h.fake, GENERAL, /discord:2/)[0], "the whoami reply");
    const attempts = h.fake.requests.filter((r) => r.method === "POST" && r.path === `/channels/${GENERAL}/messages`);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(h.fake.channelMessages(GENERAL)).toHaveLength(1);
  });

  it("tells the user and logs the command when Discord keeps failing the answer", async () => {
    const h = await startHarness();
    h.fake.failNext({ pathIncludes: "/callback", status: 500, times: 2 });
    const handle = await h.fake.slashCommand({ name: "help", user: member, channelId: GENERAL });
    await answered(h.fake, handle.id, "the failure notice");
    const calls = transcriptBodies(h.fake, handle.id);
    expect(calls.map((c) => c.status)).toEqual([500, 500, 204]);
    const notice = calls[2]!.body.data as { content: string; flags: number };
    expect(notice.content).toMatch(/could not deliver its answer to \/help: Discord had a server error \(500\)/);
    expect(notice.flags & 64).toBe(64);
    expect(h.logs).toContainEqual(
      expect.objectContaining({ adapter: "discord", command: "help", msg: "could not answer the interaction" }),
    );
  });

  it("posts the answer in the channel when the interaction expired during a long planner turn", async () => {
    const h = await startHarness({ fake: { interactionTokenTtlMs: 300 } });
    await h.runtime.core.lifecycle.propose({ slug: "late-app", description: "Slow to plan [[fake:slow=700]]" });
    await h.fake.slashCommand({
      name: "plan",
      options: [{ name: "slug", type: 3, value: "late-app" }],
      user: member,
      channelId: GENERAL,
    });
    const thread = await createdThread(h.fake);
    await eventually(
      () => messagesMatching(h.fake, thread.id, /Planning \*\*late-app\*\*/)[0],
      "the planner reply in the thread",
    );
    const notice = await eventually(
      () =>
        messagesMatching(h.fake, GENERAL, /<@2> here is planbot's answer to \/plan \(the interaction had expired\)/)[0],
      "the channel fallback",
    );
    expect(notice).toBeDefined();
    await eventually(
      () => messagesMatching(h.fake, GENERAL, new RegExp(`Planning \\*\\*late-app\\*\\* in <#${thread.id}>`))[0],
      "the pointer in the channel",
    );
  });

  it("outbound: delivers to a channel in chunks with buttons on the last one; threadId wins", async () => {
    const h = await startHarness();
    const reply: Reply = {
      text: Array.from({ length: 6 }, (_, index) => `Paragraph ${index}: ${"word ".repeat(80)}`).join("\n\n"),
      actions: [
        { label: "Status", command: "/status out-app", style: "secondary" },
        { label: "Way too long", command: `/p out-app ${"x".repeat(120)}`, style: "primary" },
      ],
    };
    const sent = await h.runtime.outbound.send({ adapter: "discord", channelId: GENERAL }, reply);
    if (!sent.ok) throw new Error(sent.message);
    const messages = h.fake.channelMessages(GENERAL);
    expect(sent.messageIds).toEqual(messages.map((m) => m.id));
    expect(messages.length).toBeGreaterThanOrEqual(2);
    for (const message of messages) expect(message.content.length).toBeLessThanOrEqual(2000);
    expect(buttonIds(messages.at(-1))).toEqual(["/status out-app"]);
    // A command too long for a custom_id is written out instead of dropped.
    expect(messages.at(-1)!.content).toContain("Way too long: `/p out-app xxx");

    h.fake.addChannel({ id: "300", name: "side", type: 11, parentId: GENERAL });
    const inThread = await h.runtime.outbound.send(
      { adapter: "discord", channelId: GENERAL, threadId: "300" },
      { text: "into the thread" },
    );
    expect(inThread.ok).toBe(true);
    expect(h.fake.channelMessages("300").map((m) => m.content)).toEqual(["into the thread"]);

    const dm = h.fake.dmChannel(member.id);
    expect((await h.runtime.outbound.send({ adapter: "discord", channelId: dm }, { text: "a notification" })).ok).toBe(
      true,
    );
    expect(h.fake.channelMessages(dm).map((m) => m.content)).toEqual(["a notification"]);
  });

  it("outbound: maps an unknown channel to a permanent failure, a 5xx to a retryable one, a long 429 to rate_limited", async () => {
    const h = await startHarness();
    const unknown = await h.runtime.outbound.send(
      { adapter: "discord", channelId: "999" },
      { text: "hello", actions: [{ label: "S", command: "/status lost-app" }] },
    );
    expect(unknown).toMatchObject({ ok: false, code: "send_failed", details: { permanent: true, discordCode: 10003 } });
    expect(h.logs).toContainEqual(
      expect.objectContaining({ adapter: "discord", slug: "lost-app", msg: "discord send failed", permanent: true }),
    );

    h.fake.failNext({ method: "POST", pathIncludes: `/channels/${GENERAL}/messages`, status: 502, times: 2 });
    const broken = await h.runtime.outbound.send({ adapter: "discord", channelId: GENERAL }, { text: "hello" });
    expect(broken).toMatchObject({ ok: false, code: "send_failed", details: { permanent: false, status: 502 } });

    h.fake.failNext({
      method: "POST",
      pathIncludes: `/channels/${GENERAL}/messages`,
      status: 429,
      retryAfterSeconds: 45,
    });
    const limited = await h.runtime.outbound.send({ adapter: "discord", channelId: GENERAL }, { text: "hello" });
    expect(limited).toMatchObject({ ok: false, code: "rate_limited", details: { permanent: false } });
    if (limited.ok) throw new Error("expected a failure");
    expect(limited.details?.retryAfterMs).toBeGreaterThanOrEqual(44_000);
    expect(h.fake.channelMessages(GENERAL)).toEqual([]);

    await h.adapter.stop();
    const stopped = await h.runtime.outbound.send({ adapter: "discord", channelId: GENERAL }, { text: "after stop" });
    expect(stopped).toMatchObject({ ok: false, code: "send_failed", details: { permanent: false } });
  });
});
