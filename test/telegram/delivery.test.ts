import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { admin, adminChat, forum, group, member, startHarness, type TelegramHarness } from "./harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("telegram adapter: delivery", () => {
  it("a 429 on sendMessage is retried after retry_after and the reply is delivered exactly once", async () => {
    h = await startHarness();
    h.fake.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const { reply } = await h.say({ chat: adminChat, from: admin, text: "/whoami" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(reply.plain_text).toContain("role: admin");
    const attempts = h.fake.calls.filter((c) => c.method === "sendMessage");
    expect(attempts.map((c) => [c.ok, c.error?.error_code])).toEqual([
      [false, 429],
      [true, undefined],
    ]);
    expect(h.fake.sentMessages(adminChat.id)).toHaveLength(1);
  });

  it("a 5,000-character planner reply with <, & and a code block arrives chunked, each ≤ 4096, text intact", async () => {
    h = await startHarness();
    await h.say({ chat: adminChat, from: admin, text: "/plan long-app An app with a long plan" });
    const before = h.fake.sentMessages(adminChat.id).length;
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "[[fake:long]] Everyone & their dog; a < b" });
    const transcript = async () =>
      (await h!.runtime.planning.transcript("long-app")).filter((e) => e.role === "assistant");
    // Wait for the whole answer: the hint and the keyboard travel on the last chunk.
    let chunks = await h.nextSent(adminChat.id, before, 2);
    for (let i = 0; i < 50 && !chunks.at(-1)?.reply_markup; i++)
      chunks = await h.nextSent(adminChat.id, before, chunks.length + 1);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const chunk of chunks) {
      expect(chunk.parse_mode).toBe("HTML");
      expect(chunk.plain_text.length).toBeLessThanOrEqual(4096);
    }
    expect(chunks.slice(0, -1).every((c) => c.reply_markup === undefined)).toBe(true);
    // A ready phase is a choice: Next phase · Keep talking, each carrying the choice's id.
    expect(chunks.at(-1)!.reply_markup?.inline_keyboard).toEqual([
      [
        { text: "Next phase", callback_data: expect.stringMatching(/^![\w-]+\/next$/) },
        { text: "Keep talking", callback_data: expect.stringMatching(/^![\w-]+\/keep-talking$/) },
      ],
    ]);

    const delivered = chunks.map((c) => c.plain_text).join("\n");
    const squash = (text: string) => text.replace(/\s+/g, "");
    const [last] = (await transcript()).slice(-1);
    const raw = String(last?.text ?? "");
    expect(raw.length).toBeGreaterThan(4700);
    // Everything the planner wrote is there, in order, except the fence lines and the protocol marker.
    const expected = raw
      .split("\n")
      .filter((line) => !line.startsWith("```") && line !== "[[PHASE_READY]]")
      .join("\n");
    expect(squash(delivered)).toContain(squash(expected));
    expect(delivered).toContain("Characters that need escaping in HTML: a < b, c > d, and Tom & Jerry");
    expect(delivered).toContain("return n < lo ? lo : n > hi ? hi : n; // a < b && b > c");
    expect(chunks.some((c) => c.entities.some((e) => e.type === "pre" && e.language === "ts"))).toBe(true);
  });

  it("if Telegram cannot parse the HTML, the chunk is resent as plain text, keyboard and all", async () => {
    h = await startHarness();
    h.fake.failNext({
      method: "sendMessage",
      errorCode: 400,
      description: `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 0`,
    });
    const { reply } = await h.say({ chat: group, from: member, text: "/p plain-app Tom & Jerry <3" });
    expect(reply.parse_mode).toBeUndefined();
    expect(reply.plain_text).toContain("Proposed plain-app: Tom & Jerry <3");
    expect(reply.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual(["Plan", "Approve"]);
    expect(h.fake.sentMessages(group.id)).toHaveLength(1);
  });

  it("the outbound port sends to chats and topics and maps Telegram's errors", async () => {
    h = await startHarness({ adapter: { retry: { maxRetryAttempts: 0, maxDelaySeconds: 5 } } });
    const outbound = h.runtime.outbound;
    expect(outbound.has("telegram")).toBe(true);
    const topic = h.fake.createForumTopic(forum, "news", { deliverUpdate: false }).threadId;

    const sent = await outbound.send(
      { adapter: "telegram", channelId: String(forum.id), threadId: String(topic) },
      { text: "**Done**: a < b & c", actions: [{ label: "Status", command: "/status" }] },
    );
    expect(sent).toMatchObject({ ok: true, messageIds: [expect.any(String)] });
    const [message] = h.fake.sentMessages(forum.id, topic);
    expect(message).toMatchObject({ plain_text: "Done: a < b & c", message_thread_id: topic, parse_mode: "HTML" });

    const target = { adapter: "telegram", channelId: String(group.id) };
    const text = { text: "x" };
    expect(await outbound.send({ adapter: "telegram", channelId: "-42" }, text)).toMatchObject({
      ok: false,
      code: "send_failed",
      details: { permanent: true },
    });
    h.fake.failNext({
      method: "sendMessage",
      errorCode: 403,
      description: "Forbidden: bot was kicked from the supergroup chat",
    });
    expect(await outbound.send(target, text)).toMatchObject({
      ok: false,
      code: "send_failed",
      details: { permanent: true, status: 403 },
    });
    h.fake.failNext({ method: "sendMessage", errorCode: 502 });
    expect(await outbound.send(target, text)).toMatchObject({
      ok: false,
      code: "send_failed",
      details: { permanent: false, status: 502 },
    });
    h.fake.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 60 });
    expect(await outbound.send(target, text)).toMatchObject({
      ok: false,
      code: "rate_limited",
      details: { retryAfterMs: 60_000 },
    });
    expect(await outbound.send({ adapter: "telegram", channelId: "general" }, text)).toMatchObject({
      ok: false,
      details: { permanent: true },
    });

    // Network down: retryable, and it returns instead of retrying forever.
    await h.fake.close();
    expect(await outbound.send(target, text)).toMatchObject({
      ok: false,
      code: "send_failed",
      details: { permanent: false },
    });
    await h.adapter.stop();
    expect(outbound.has("telegram")).toBe(false);
  });

  it("polling that Telegram ends with 409 Conflict starts again; the failure is logged, not thrown", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    h = await startHarness({ log: pino({ level: "debug" }, sink), adapter: { pollRestartMs: 100 } });
    await h.say({ chat: adminChat, from: admin, text: "/whoami" });
    // The fake's FailRule type lists the codes Telegram sends for sendMessage; getUpdates also knows 409.
    h.fake.failNext({
      method: "getUpdates",
      errorCode: 409 as 400,
      description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    await h.fake.waitForCall("getUpdates", (c) => c.error?.error_code === 409);
    const again = await h.say({ chat: adminChat, from: admin, text: "/whoami" });
    expect(again.reply.plain_text).toContain("role: admin");
    expect(
      lines.some((l) => l.msg === "telegram polling stopped; starting it again shortly" && l.adapter === "telegram"),
    ).toBe(true);
    expect(h.fake.sentMessages(adminChat.id)).toHaveLength(2);
  });
});
