// The pure parts of the adapter: reply → Discord payloads, and how a message's text is classified.
import { describe, expect, it } from "vitest";
import { createDefaultRegistry } from "../../src/bot/commands/index.ts";
import { classifyMessage } from "../../src/adapters/discord/messages.ts";
import { renderReply } from "../../src/adapters/discord/render.ts";

describe("renderReply", () => {
  it("puts buttons (5 a row) on the last chunk only, mapping styles, and makes errors ephemeral", () => {
    const actions = Array.from({ length: 7 }, (_, index) => ({
      label: `B${index}`,
      command: `/status p${index}`,
      style: index === 0 ? ("danger" as const) : undefined,
    }));
    const payloads = renderReply({ text: `${"a".repeat(1500)}\n\n${"b".repeat(1500)}`, actions, tone: "error" });
    expect(payloads).toHaveLength(2);
    expect(payloads.every((p) => p.ephemeral)).toBe(true);
    expect(payloads[0]!.components).toEqual([]);
    const rows = payloads[1]!.components;
    expect(rows.map((row) => row.components.length)).toEqual([5, 2]);
    expect(rows[0]!.components[0]).toEqual({ type: 2, style: 4, label: "B0", custom_id: "/status p0" });
    expect(rows[0]!.components[1]!.style).toBe(2);
  });

  it("writes out commands that do not fit a custom_id, drops duplicates, and sends buttons without text", () => {
    const long = `/p slug ${"x".repeat(100)}`;
    const [payload] = renderReply({
      text: "Pick one",
      actions: [
        { label: "Long", command: long },
        { label: "S", command: "/status a" },
        { label: "S again", command: "/status a" },
      ],
    });
    expect(payload!.content).toBe(`Pick one\nLong: \`${long}\``);
    expect(payload!.components[0]!.components.map((b) => b.custom_id)).toEqual(["/status a"]);
    expect(payload!.ephemeral).toBe(false);
    expect(renderReply({ text: "", actions: [{ label: "Go", command: "/next" }] })).toEqual([
      { content: "", components: [expect.objectContaining({ type: 1 })], ephemeral: false },
    ]);
    expect(renderReply({ text: "" })).toEqual([]);
    expect(renderReply({ text: "ping @everyone" })[0]!.content).toBe("ping @\u200beveryone");
  });
});

describe("classifyMessage", () => {
  const registry = createDefaultRegistry();
  const bot = "111";
  it("reads typed commands, mentions with or without the slash, and plain chat", () => {
    const direct = (text: string) => ({ text, audience: "direct" });
    const shared = (text: string) => ({ text, audience: "shared" });
    expect(classifyMessage("/p app A thing --repo r", bot, registry)).toEqual(shared("/p app A thing --repo r"));
    expect(classifyMessage("<@111> p app A thing", bot, registry)).toEqual(direct("/p app A thing"));
    expect(classifyMessage("<@!111>   /status", bot, registry)).toEqual(direct("/status"));
    expect(classifyMessage("<@111>", bot, registry)).toEqual(direct("/help"));
    expect(classifyMessage("<@111> what do you think?", bot, registry)).toEqual(direct("what do you think?"));
    expect(classifyMessage("<@111> /frobnicate", bot, registry)).toEqual(direct("/frobnicate"));
    expect(classifyMessage("/frobnicate now", bot, registry)).toEqual(shared("/frobnicate now"));
    expect(classifyMessage("hello <@111>", bot, registry)).toEqual(shared("hello <@111>"));
    expect(classifyMessage("/etc/hosts is broken", bot, registry)).toEqual(shared("/etc/hosts is broken"));
    expect(classifyMessage("hi there", bot, registry, true)).toEqual(direct("hi there"));
  });
});
