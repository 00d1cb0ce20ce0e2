import { describe, expect, it } from "vitest";
import { chunkText } from "../../src/chat/chunk.ts";
import {
  markupToTelegramHtml,
  renderTelegramReply,
  TELEGRAM_TEXT_LIMIT,
} from "../../src/adapters/telegram/telegram-html.ts";
import { DISCORD_TEXT_LIMIT, renderDiscordReply } from "../../src/adapters/discord/discord-markdown.ts";
import { createRecentRenders } from "../../src/adapters/kit/recent-renders.ts";
import { mulberry32 } from "../helpers/seeded-random.ts";

/** What rendering does without the cache of recent texts. */
function renderedAfresh(text: string): string[] {
  return chunkText(text, TELEGRAM_TEXT_LIMIT)
    .map(markupToTelegramHtml)
    .filter((html) => html.trim().length > 0);
}

describe("recent renders", () => {
  it("renders a text once while it is kept, again once it was pushed out, and never keeps long texts", () => {
    const renders: string[] = [];
    const recent = createRecentRenders<string>(2, 10);
    const render = (text: string) => {
      renders.push(text);
      return [text.toUpperCase()];
    };
    expect(recent.get("a", render)).toEqual(["A"]);
    expect(recent.get("a", render)).toEqual(["A"]);
    recent.get("b", render);
    recent.get("c", render); // pushes out "a", the oldest
    expect(recent.get("a", render)).toEqual(["A"]);
    expect(recent.get("a long text", render)).toEqual(["A LONG TEXT"]);
    expect(recent.get("a long text", render)).toEqual(["A LONG TEXT"]);
    expect(renders).toEqual(["a", "b", "c", "a", "a long text", "a long text"]);
  });
});

describe("Discord rendering of repeated texts", () => {
  it("answers every text as a fresh render would, mentions still neutralised", () => {
    const random = mulberry32(2024);
    const texts = Array.from(
      { length: 90 },
      (_, index) => `**Projects** (${index}) @everyone and @here, \`x${index}\``,
    );
    for (let round = 0; round < 600; round += 1) {
      const text = texts[Math.floor(random() * texts.length)]!;
      const rendered = renderDiscordReply({ text });
      expect(rendered).toEqual(chunkText(text.replace(/@(everyone|here)/g, "@\u200b$1"), DISCORD_TEXT_LIMIT));
      expect(rendered.join("")).not.toMatch(/@everyone|@here/);
    }
  });
});

describe("Telegram rendering of repeated texts", () => {
  it("answers every text as a fresh render would, however often and in whatever order texts come back", () => {
    const random = mulberry32(1717);
    // More distinct texts than the cache keeps, so entries are evicted and rendered again along the way.
    const texts = Array.from(
      { length: 90 },
      (_, index) => `**Projects** (${index})\n**alpha-${index}** — pending — <not> planned & \`code ${index}\``,
    );
    for (let round = 0; round < 600; round += 1) {
      const text = texts[Math.floor(random() * texts.length)]!;
      expect(renderTelegramReply({ text })).toEqual(renderedAfresh(text));
    }
  });

  it("hands out chunks no caller can change for the next one", () => {
    const text = "**Projects** (1)\n**alpha** — pending — not planned yet";
    const first = renderTelegramReply({ text });
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as string[]).push("<b>injected</b>")).toThrow(TypeError);
    expect(renderTelegramReply({ text })).toEqual(["<b>Projects</b> (1)\n<b>alpha</b> — pending — not planned yet"]);
  });

  it("still splits a text longer than one message, and a custom limit, exactly as before", () => {
    const long = Array.from({ length: 400 }, (_, index) => `line ${index} with **bold** & <angle>`).join("\n");
    expect(long.length).toBeGreaterThan(TELEGRAM_TEXT_LIMIT);
    expect(renderTelegramReply({ text: long })).toEqual(renderedAfresh(long));
    const short = Array.from({ length: 12 }, (_, index) => `**word${index}** & more`).join(" ");
    expect(renderTelegramReply({ text: short }, 50).length).toBeGreaterThan(1);
    expect(renderTelegramReply({ text: short }, 50)).toEqual(
      chunkText(short, 50)
        .map(markupToTelegramHtml)
        .filter((html) => html.trim().length > 0),
    );
  });
});
