// Claude writes ordered lists with every item as `1.`, trusting a Markdown renderer to count. The terminal and
// Telegram show the markup as text and Discord splits long replies into messages, so every surface gets the
// numbers a renderer would show (src/chat/list-numbers.ts).
import { describe, expect, it } from "vitest";
import { renderDiscordReply } from "../../src/adapters/discord/discord-markdown.ts";
import { renderTelegramReply } from "../../src/adapters/telegram/telegram-html.ts";
import { numberOrderedLists } from "../../src/chat/list-numbers.ts";
import { PLAIN_STYLES, renderPlainText } from "../../src/chat/plain-text.ts";

const plain = (text: string) => renderPlainText({ text }, PLAIN_STYLES);

/** A clarify turn as the planner writes it: questions numbered `1.`, an aside, then a second list. */
const CLARIFY = [
  "Before I design kiln, I need a few answers:",
  "",
  "1. **Who** fires the kilns, and how many of them?",
  "1. Should a firing log hold `cone` numbers or temperatures?",
  "1. Any hosting constraints?",
  "",
  "And for later:",
  "",
  "1. Do you want exports?",
  "1. Which browsers matter?",
].join("\n");

describe("ordered lists on text surfaces", () => {
  it("counts up from the first item, and a paragraph between two lists starts the count again", () => {
    expect(plain(CLARIFY)).toBe(
      [
        "Before I design kiln, I need a few answers:",
        "",
        "1. Who fires the kilns, and how many of them?",
        "2. Should a firing log hold cone numbers or temperatures?",
        "3. Any hosting constraints?",
        "",
        "And for later:",
        "",
        "1. Do you want exports?",
        "2. Which browsers matter?",
      ].join("\n"),
    );
    const html = renderTelegramReply({ text: CLARIFY }).join("\n");
    expect(html).toContain("1. <b>Who</b> fires the kilns");
    expect(html).toContain("2. Should a firing log hold <code>cone</code> numbers");
    expect(html).toContain("3. Any hosting constraints?");
    expect(html).toContain("1. Do you want exports?\n2. Which browsers matter?");
  });

  it("nested lists keep their own count, and the outer list goes on after them", () => {
    const stories = [
      "## Stories",
      "",
      "1. Log a firing",
      "   1. Pick the kiln",
      "   1. Enter the cone",
      "   - a note is optional",
      "1. See past firings",
      "    1. Filter by kiln",
      "1. Export as CSV",
    ].join("\n");
    expect(plain(stories)).toBe(
      [
        "Stories",
        "",
        "1. Log a firing",
        "   1. Pick the kiln",
        "   2. Enter the cone",
        "   - a note is optional",
        "2. See past firings",
        "    1. Filter by kiln",
        "3. Export as CSV",
      ].join("\n"),
    );
  });

  it("the first item's number starts the list; blank lines between items and text indented under one keep it", () => {
    const steps = [
      "3. Install the tools",
      "",
      "   Node 20 is enough.",
      "",
      "3. Clone the repo",
      "continued on the next line without indent",
      "3. Run the tests",
    ].join("\n");
    expect(
      numberOrderedLists(steps)
        .split("\n")
        .filter((line) => /^\d/.test(line)),
    ).toEqual(["3. Install the tools", "4. Clone the repo", "5. Run the tests"]);
  });

  it("another delimiter, a heading or an unindented paragraph ends a list; fenced code and years stay as written", () => {
    const text = [
      "1) first",
      "1) second",
      "1. a new list",
      "1. goes on",
      "# Notes",
      "1. after the heading",
      "",
      "Plain words.",
      "1. after the paragraph",
      "```",
      "1. not a list",
      "1. in code",
      "```",
      "1. after the code",
      "",
      "The year was",
      "2024. A line that only looks like an item.",
    ].join("\n");
    expect(numberOrderedLists(text)).toBe(
      [
        "1) first",
        "2) second",
        "1. a new list",
        "2. goes on",
        "# Notes",
        "1. after the heading",
        "",
        "Plain words.",
        "1. after the paragraph",
        "```",
        "1. not a list",
        "1. in code",
        "```",
        "1. after the code",
        "",
        "The year was",
        "2024. A line that only looks like an item.",
      ].join("\n"),
    );
  });

  it("text without numbered items comes back as it was", () => {
    const text = "- one\n- two\n\nNo numbers 1. here.";
    expect(numberOrderedLists(text)).toBe(text);
  });
});

describe("ordered lists in Discord", () => {
  it("are sent with a renderer's numbers, so a list split over two messages keeps counting", () => {
    const items = Array.from(
      { length: 40 },
      (_, index) => `1. Story ${index + 1}: the firing log does one more thing well`,
    );
    const messages = renderDiscordReply({ text: `Here are the stories:\n\n${items.join("\n")}` });
    expect(messages.length).toBeGreaterThan(1);
    const numbers = messages.flatMap((message) => [...message.matchAll(/^(\d+)\. Story (\d+):/gm)]);
    expect(numbers).toHaveLength(40);
    for (const [, shown, story] of numbers) expect(shown).toBe(story);
    // The second message starts with the number where the first stopped, not a new `1.`.
    expect(messages[1]).toMatch(/^\d+\. Story/);
    expect(messages[1]).not.toMatch(/^1\. /);
  });
});
