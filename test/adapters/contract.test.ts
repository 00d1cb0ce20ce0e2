// The adapter contract (src/adapters/contract.ts), run over every adapter the way one router suite runs
// over every router: the same neutral replies go out through each adapter's own Outbound, against the
// real discord.js and grammY clients talking to the fake servers in test/fakes, the terminal's stream
// and the dashboard's message ring. Capabilities a platform lacks (rate limits, chats that can vanish,
// buttons) are declared per adapter; those cases are only defined where they apply.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";
import { createDashboardOutbound, type DashboardMessage } from "../../src/adapters/http/dashboard-outbound.ts";
import type { ChatTarget } from "../../src/chat/incoming.ts";
import type { Outbound } from "../../src/chat/outbound.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { startHarness as startDiscord, closeAll as closeDiscord, GENERAL } from "../discord/harness.ts";
import { startHarness as startTelegram, adminChat, type TelegramHarness } from "../telegram/harness.ts";

/** One message as its reader sees it: visible text and the button labels under it. */
interface Seen {
  text: string;
  buttons: string[];
}

interface AdapterUnderTest {
  outbound: Outbound;
  chat: ChatTarget;
  /** A chat that does not exist (any more), when the platform has such a thing. */
  goneChat?: ChatTarget;
  /** Makes the next send answer 429 with a long retry-after, when the platform rate limits. */
  rateLimitNext?: () => void;
  /** Messages delivered to `chat` so far. */
  seen(): Seen[];
  /** The platform's message length limit (Infinity: never split). */
  limit: number;
  /** How buttons arrive: as buttons on a message, listed as commands in the text, or not at all. */
  buttons: "buttons" | "listed" | "none";
  /** How `**bold**` shows: as formatting (markup consumed) or verbatim markup the platform renders. */
  boldShows: "formatted" | "markup";
  close(): Promise<void>;
}

const drivers: Record<string, () => Promise<AdapterUnderTest>> = {
  async telegram() {
    const h: TelegramHarness = await startTelegram();
    return {
      outbound: h.runtime.outbound.get("telegram")!,
      chat: { adapter: "telegram", channelId: String(adminChat.id) },
      goneChat: { adapter: "telegram", channelId: "424242" },
      rateLimitNext: () => h.fake.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 120 }),
      seen: () =>
        h.fake
          .sentMessages(adminChat.id)
          .filter((m) => m.kind === "sent")
          .map((m) => ({
            text: m.plain_text,
            buttons: (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text),
          })),
      limit: 4096,
      buttons: "buttons",
      boldShows: "formatted",
      close: () => h.close(),
    };
  },
  async discord() {
    const h = await startDiscord();
    return {
      outbound: h.runtime.outbound.get("discord")!,
      chat: { adapter: "discord", channelId: GENERAL },
      goneChat: { adapter: "discord", channelId: "999999999" },
      rateLimitNext: () =>
        h.fake.failNext({
          method: "POST",
          pathIncludes: `/channels/${GENERAL}/messages`,
          status: 429,
          retryAfterSeconds: 120,
        }),
      seen: () =>
        h.fake.channelMessages(GENERAL).map((m) => ({
          text: m.content,
          buttons: ((m.components ?? []) as { components: { label: string }[] }[]).flatMap((row) =>
            row.components.map((b) => b.label),
          ),
        })),
      limit: 2000,
      buttons: "buttons",
      boldShows: "markup",
      close: () => closeDiscord(),
    };
  },
  async terminal() {
    const output = new PassThrough();
    const printed: string[] = [];
    output.on("data", (chunk: Buffer) => printed.push(chunk.toString("utf8")));
    const adapter = createConsoleAdapter({
      bot: { handle: async () => ({ kind: "ignored", reason: "unused" }), commandFor: () => undefined },
      input: new PassThrough(),
      output,
      userName: "owner",
    });
    return {
      outbound: adapter.outbound,
      chat: { adapter: "console", channelId: "terminal" },
      seen: () => printed.map((text) => ({ text, buttons: [] })),
      limit: Number.POSITIVE_INFINITY,
      buttons: "listed",
      boldShows: "formatted",
      close: async () => adapter.close(),
    };
  },
  async dashboard() {
    const messages: DashboardMessage[] = [];
    const outbound = createDashboardOutbound({ clock: systemClock, onMessage: (message) => messages.push(message) });
    return {
      outbound,
      chat: { adapter: "dashboard", channelId: "my-app" },
      seen: () => messages.map((m) => ({ text: m.message, buttons: [] })),
      limit: Number.POSITIVE_INFINITY,
      buttons: "none",
      boldShows: "markup",
      close: async () => undefined,
    };
  },
};

const buttons = [
  { label: "Approve", command: "/approve my-app", style: "success" as const },
  { label: "Status", command: "/status my-app" },
];

/** Platforms where a send can be rate limited, and where a chat can vanish (the terminal and a project page cannot). */
const RATE_LIMITED = new Set(["telegram", "discord"]);
const CHATS_CAN_VANISH = new Set(["telegram", "discord"]);

describe.each(Object.keys(drivers))("the adapter contract: %s", (name) => {
  let adapter: AdapterUnderTest;
  beforeAll(async () => {
    adapter = await drivers[name]!();
  }, 60_000);
  afterAll(async () => {
    await adapter?.close();
  });

  it("renders the neutral markup for the platform and delivers user text as written", async () => {
    const before = adapter.seen().length;
    const sent = await adapter.outbound.send(adapter.chat, { text: "**Approved** `my-app` for a <b>tag</b> & co" });
    expect(sent.ok).toBe(true);
    const [message] = adapter.seen().slice(before);
    expect(message?.text).toContain("my-app");
    expect(message?.text).toContain("<b>tag</b> & co");
    if (adapter.boldShows === "formatted") expect(message?.text).not.toContain("**");
    else expect(message?.text).toContain("**Approved**");
  });

  it("splits a long reply within the platform's limit and puts the buttons on the last chunk only", async () => {
    const before = adapter.seen().length;
    const paragraph = "word ".repeat(199).trim();
    const text = Array.from({ length: 12 }, (_, index) => `${index}: ${paragraph}`).join("\n\n");
    const sent = await adapter.outbound.send(adapter.chat, { text, actions: buttons });
    expect(sent.ok).toBe(true);
    const messages = adapter.seen().slice(before);
    const expectedChunks = Number.isFinite(adapter.limit) ? Math.ceil(text.length / adapter.limit) : 1;
    expect(messages.length).toBeGreaterThanOrEqual(expectedChunks);
    for (const message of messages) expect(message.text.length).toBeLessThanOrEqual(adapter.limit);
    // Nothing is lost: every paragraph arrives, in order.
    const joined = messages.map((m) => m.text).join("\n");
    for (let index = 0; index < 12; index += 1) expect(joined).toContain(`${index}: word`);
    if (adapter.buttons === "buttons") {
      expect(messages.at(-1)?.buttons).toEqual(["Approve", "Status"]);
      for (const message of messages.slice(0, -1)) expect(message.buttons).toEqual([]);
    } else if (adapter.buttons === "listed") {
      expect(messages.at(-1)?.text.trimEnd().endsWith("/status my-app")).toBe(true);
    }
  });

  if (RATE_LIMITED.has(name))
    it("a 429 comes back as rate_limited with the platform's retry-after", async () => {
      adapter.rateLimitNext!();
      const sent = await adapter.outbound.send(adapter.chat, { text: "limited" });
      expect(sent).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!sent.ok && sent.details?.retryAfterMs).toBeGreaterThanOrEqual(100_000);
    });

  if (CHATS_CAN_VANISH.has(name))
    it("a chat that is gone is a permanent failure, not an exception", async () => {
      const sent = await adapter.outbound.send(adapter.goneChat!, { text: "anyone there?" });
      expect(sent).toMatchObject({ ok: false, code: "send_failed", details: { permanent: true } });
    });

  it("never throws, whatever the target or reply", async () => {
    const odd: [ChatTarget, Reply][] = [
      [{ ...adapter.chat, channelId: "not a chat id" }, { text: "x" }],
      [adapter.chat, { text: "" }],
      [adapter.chat, { text: "", actions: buttons }],
      [adapter.chat, { text: "\u0000 \ud83d unpaired surrogate and a lone ```" }],
    ];
    for (const [target, reply] of odd) {
      const sent = await adapter.outbound.send(target, reply);
      expect(typeof sent.ok).toBe("boolean");
    }
  });
});
