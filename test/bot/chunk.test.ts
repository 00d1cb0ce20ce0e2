// Property tests of chunking (src/chat/chunk.ts) and of the two chat renderers built on it, over seeded
// random texts: paragraphs, long lines, long words, surrogate pairs, fenced code blocks with languages.
import { describe, expect, it } from "vitest";
import { chunkText, renderChunk, splitIntoChunks } from "../../src/chat/chunk.ts";
import { DISCORD_TEXT_LIMIT, renderDiscordReply } from "../../src/adapters/discord/discord-markdown.ts";
import {
  escapeHtml,
  markupToTelegramHtml,
  renderTelegramReply,
  TELEGRAM_TEXT_LIMIT,
} from "../../src/adapters/telegram/telegram-html.ts";
import { mulberry32 } from "../helpers/seeded-random.ts";

// ─── seeded generators ───────────────────────────────────────────────────

function generator(seed: number) {
  const random = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (p: number) => random() < p;

  const WORDS = [
    "the",
    "planner",
    "writes",
    "stories",
    "für",
    "mañana",
    "日本語",
    "テキスト",
    "مرحبا",
    "שלום",
    "😀",
    "👩‍💻",
    "🏳️‍🌈",
    "𝔘𝔫𝔦",
    "a<b",
    "x&y",
    "c>d",
    "&amp;",
    "<b>",
    "**bold**",
    "`code`",
    "[link](https://example.com/a?b=1)",
    "- item",
    "#",
    "tab\there",
    "in```line",
    "in~~~line",
  ];
  const LANGUAGES = ["", "ts", "typescript", "python", "json", "c++", "sh", "markdown final-plan.md", "json prd.json"];

  function word(): string {
    const roll = random();
    if (roll < 0.01) return "w".repeat(int(50, 5000)); // longer than a chunk
    if (roll < 0.02) return "😀".repeat(int(10, 2500)); // surrogate pairs only, no break
    if (roll < 0.06) return "x".repeat(int(1, 20)) + "𝔘".repeat(int(1, 40));
    return pick(WORDS);
  }
  function line(): string {
    const words = Array.from({ length: chance(0.03) ? int(100, 800) : int(0, 20) }, word);
    return words.join(" ");
  }
  function paragraph(): string {
    return Array.from({ length: int(1, 6) }, line).join("\n");
  }
  function codeBlock(): string {
    const fence = chance(0.1) ? "~~~" : "```";
    const body = Array.from({ length: int(0, chance(0.1) ? 200 : 25) }, () => {
      const roll = random();
      if (roll < 0.03) return "z".repeat(int(100, 4500));
      if (roll < 0.1) return "";
      return `${"  ".repeat(int(0, 4))}const value = a < b && c > d ? "x" : '😀'; // ${pick(WORDS)} ${pick(WORDS)}`;
    }).join("\n");
    const closed = chance(0.95);
    return `${fence}${pick(LANGUAGES)}\n${body}${closed ? `\n${fence}` : ""}`;
  }
  function text(): string {
    const parts = Array.from({ length: int(1, 14) }, () => (chance(0.3) ? codeBlock() : paragraph()));
    // Fences stand on their own lines (text after an opening fence is its info string, not shown).
    return parts.join(pick(["\n\n", "\n", "\n\n\n"]));
  }
  return { random, int, pick, chance, text, paragraph, line, word };
}

// ─── checks ──────────────────────────────────────────────────────────────

const FENCE_LINE = /^[ \t]*(```+|~~~+)(.*)$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Whether a rendered chunk leaves no code block open (an even number of fence lines). */
function fencesBalanced(rendered: string): boolean {
  return rendered.split("\n").filter((line) => FENCE_LINE.test(line)).length % 2 === 0;
}

/** Problems with one rendered chunk set; an empty list means every property holds. */
function chunkProblems(text: string, limit: number): string[] {
  const problems: string[] = [];
  const chunks = splitIntoChunks(text, limit);
  if (chunks.map((chunk) => chunk.body).join("") !== text) problems.push("bodies do not concatenate to the input");
  chunks.forEach((chunk, index) => {
    const rendered = renderChunk(chunk);
    if (rendered.length > limit) problems.push(`chunk ${index} is ${rendered.length} > ${limit}`);
    if (chunk.body.length === 0) problems.push(`chunk ${index} is empty`);
    if (!fencesBalanced(rendered)) problems.push(`chunk ${index} leaves a code block open`);
    if (isLowSurrogate(chunk.body.charCodeAt(0))) problems.push(`chunk ${index} starts with a lone low surrogate`);
    if (isHighSurrogate(chunk.body.charCodeAt(chunk.body.length - 1)))
      problems.push(`chunk ${index} ends with a lone high surrogate`);
    if (LONE_SURROGATE.test(rendered)) problems.push(`chunk ${index} contains a lone surrogate`);
  });
  return problems;
}

const LIMITS = [50, 120, 2000, 4096];

// ─── splitIntoChunks / chunkText ─────────────────────────────────────────

describe("chunking properties over random texts", () => {
  it.each(LIMITS)("limit %i: within the limit, lossless, fences balanced, surrogates whole", (limit) => {
    const gen = generator(20_240_000 + limit);
    const failures: string[] = [];
    let chunkCount = 0;
    const reopened = new Set<string>();
    for (let round = 0; round < 150; round += 1) {
      const text = gen.text();
      for (const problem of chunkProblems(text, limit)) failures.push(`round ${round}: ${problem}`);
      const chunks = splitIntoChunks(text, limit);
      chunkCount += chunks.length;
      for (const chunk of chunks) if (chunk.reopen) reopened.add(chunk.reopen);
    }
    expect(failures.slice(0, 10).join("\n")).toBe("");
    // The generator really produced multi-chunk texts and code blocks cut in two, with their languages.
    expect(chunkCount).toBeGreaterThan(300);
    expect(reopened).toContain("```");
    expect([...reopened].filter((fence) => fence.length > 3).length).toBeGreaterThanOrEqual(3);
  });

  it("a text that fits is one chunk, unchanged; empty text is no chunk", () => {
    expect(chunkText("short **text**", 2000)).toEqual(["short **text**"]);
    expect(chunkText("```ts\nconst a = 1;\n```", 2000)).toEqual(["```ts\nconst a = 1;\n```"]);
    expect(chunkText("", 2000)).toEqual([]);
    expect(() => chunkText("x", 39)).toThrow(RangeError);
  });

  it("splits on paragraphs first, then lines, then words", () => {
    const gen = generator(7);
    const sentence = () =>
      Array.from({ length: gen.int(3, 12) }, () => gen.pick(["alpha", "beta", "gamma", "delta", "😀"])).join(" ");
    const paragraphs = Array.from({ length: 60 }, () =>
      Array.from({ length: gen.int(1, 4) }, sentence).join("\n"),
    ).join("\n\n");
    const byParagraph = splitIntoChunks(paragraphs, 2000);
    expect(byParagraph.length).toBeGreaterThan(1);
    for (const chunk of byParagraph.slice(0, -1)) expect(chunk.body.endsWith("\n\n")).toBe(true);

    const lines = Array.from({ length: 400 }, sentence).join("\n");
    const byLine = splitIntoChunks(lines, 2000);
    expect(byLine.length).toBeGreaterThan(1);
    for (const chunk of byLine.slice(0, -1)) expect(chunk.body.endsWith("\n")).toBe(true);

    const words = Array.from({ length: 2000 }, sentence).join(" ");
    const byWord = splitIntoChunks(words, 2000);
    expect(byWord.length).toBeGreaterThan(1);
    for (const chunk of byWord.slice(0, -1)) expect(chunk.body.endsWith(" ")).toBe(true);
  });

  it("a word longer than a chunk is cut, never between the halves of a surrogate pair", () => {
    for (const text of ["😀".repeat(5000), `a${"😀".repeat(5000)}`, `${"x".repeat(1999)}😀😀`]) {
      for (const limit of [41, 50, 2000]) expect(chunkProblems(text, limit)).toEqual([]);
    }
  });

  it("a code block cut in two is closed and re-opened with its language", () => {
    const code = Array.from({ length: 200 }, (_, index) => `const line${index} = ${index};`).join("\n");
    const chunks = splitIntoChunks(`Here is the plan:\n\n\`\`\`typescript\n${code}\n\`\`\`\n\nThat is all.`, 2000);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]?.close).toBe(true);
    for (const chunk of chunks.slice(1, -1)) {
      expect(chunk.reopen).toBe("```typescript");
      expect(renderChunk(chunk).startsWith("```typescript\n")).toBe(true);
      expect(renderChunk(chunk).endsWith("```")).toBe(true);
    }
    expect(chunks.at(-1)?.body.endsWith("That is all.")).toBe(true);
  });

  // Bug: the re-opening fence line is the opening fence's whole first info word, copied into every
  // following chunk; a long enough word leaves no room for the body, so each chunk overshoots the
  // limit, and the one-unit cuts that follow split surrogate pairs.
  it("a long fence info word never pushes a chunk over the limit or splits a surrogate pair", () => {
    expect(chunkProblems(`\`\`\`${"x".repeat(60)}\n${"code line\n".repeat(30)}\`\`\``, 50)).toEqual([]);
    expect(chunkProblems(`\`\`\` ${"😀".repeat(60)}\n${"more code\n".repeat(30)}\`\`\``, 120)).toEqual([]);
    expect(chunkProblems(`\`\`\`${"y".repeat(2100)}\n${"z".repeat(5000)}\n\`\`\``, 2000)).toEqual([]);
  });
});

// ─── Discord ─────────────────────────────────────────────────────────────

describe("Discord rendering", () => {
  it.each([DISCORD_TEXT_LIMIT, 50])(
    "limit %i: every message within the limit and balanced; mentions neutralised",
    (limit) => {
      const gen = generator(31_000 + limit);
      for (let round = 0; round < 30; round += 1) {
        const text = `${gen.text()}\n@everyone and @here, ping!`;
        const messages = renderDiscordReply({ text }, limit);
        expect(messages.length).toBeGreaterThan(0);
        for (const message of messages) {
          expect(message.length).toBeLessThanOrEqual(limit);
          expect(fencesBalanced(message)).toBe(true);
          expect(message).not.toMatch(/@(everyone|here)/);
        }
        const neutral = text.replace(/@(everyone|here)/g, "@\u200b$1");
        expect(messages).toEqual(chunkText(neutral, limit));
      }
    },
  );

  it("uses Discord's 2000 by default", () => {
    const messages = renderDiscordReply({ text: "word ".repeat(2000) });
    expect(messages.length).toBeGreaterThan(1);
    expect(Math.max(...messages.map((message) => message.length))).toBeLessThanOrEqual(2000);
  });
});

// ─── Telegram ────────────────────────────────────────────────────────────

const ALLOWED_TAGS = new Set(["b", "code", "pre", "a"]);

/** Checks Telegram HTML: only b/code/pre/a, balanced, no stray `<`/`>`, `&` only in entities. Returns problems. */
function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([a-z]+)((?:\s+[a-z]+="[^"<>]*")*)\s*>/g;
  let last = 0;
  const checkText = (text: string) => {
    if (/[<>]/.test(text)) problems.push(`raw < or > in text: ${JSON.stringify(text.slice(0, 60))}`);
    if (/&(?!(lt|gt|amp|quot);)/.test(text)) problems.push(`bare & in text: ${JSON.stringify(text.slice(0, 60))}`);
  };
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    checkText(html.slice(last, match.index));
    last = match.index + match[0].length;
    const [, closing, name, attributes] = match;
    if (!ALLOWED_TAGS.has(name!)) problems.push(`tag <${name}> is not allowed`);
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else {
      if (name === "a" && !/^\s+href="/.test(attributes!)) problems.push("<a> without href");
      if (name === "code" && attributes && !/^\s+class="language-[^"]+"$/.test(attributes))
        problems.push(`<code${attributes}>`);
      if ((name === "b" || name === "pre") && attributes) problems.push(`<${name}${attributes}>`);
      // Telegram: nothing may be inside code or pre (but pre's own <code class>); links do not nest.
      const inside = stack.at(-1);
      if (inside === "code" || (inside === "pre" && name !== "code")) problems.push(`<${name}> inside <${inside}>`);
      if (name === "a" && stack.includes("a")) problems.push("<a> inside <a>");
      stack.push(name!);
    }
  }
  checkText(html.slice(last));
  if (stack.length) problems.push(`unclosed ${stack.join(", ")}`);
  return problems;
}

/** What Telegram shows (and counts): tags removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

describe("Telegram rendering", () => {
  it.each([TELEGRAM_TEXT_LIMIT, 2000, 50])(
    "limit %i: well-formed HTML, visible text within the limit, < & > escaped",
    (limit) => {
      const gen = generator(47_000 + limit);
      const failures: string[] = [];
      for (let round = 0; round < 80; round += 1) {
        // No backslashes in these texts, so every <, & and > the user wrote must be visible as written.
        const text = gen.text().replace(/\\/g, "/");
        const messages = renderTelegramReply({ text }, limit);
        if (text.trim()) expect(messages.length).toBeGreaterThan(0);
        let visible = "";
        messages.forEach((html, index) => {
          for (const problem of htmlProblems(html)) failures.push(`round ${round} message ${index}: ${problem}`);
          const shown = visibleText(html);
          if (shown.length > limit)
            failures.push(`round ${round} message ${index}: ${shown.length} visible > ${limit}`);
          if (LONE_SURROGATE.test(html)) failures.push(`round ${round} message ${index}: lone surrogate`);
          visible += shown;
        });
        for (const char of ["<", "&", ">"]) {
          if (count(visible, char) !== count(text, char))
            failures.push(`round ${round}: ${count(text, char)} ${char} written, ${count(visible, char)} shown`);
        }
      }
      expect(failures.slice(0, 10).join("\n")).toBe("");
    },
  );

  it("escapes the three HTML characters and renders the markup", () => {
    expect(escapeHtml(`a < b && c > "d"`)).toBe(`a &lt; b &amp;&amp; c &gt; "d"`);
    expect(markupToTelegramHtml("**bold <x>** & `code <y>` [docs](https://e.com/?a=1&b=2)")).toBe(
      '<b>bold &lt;x&gt;</b> &amp; <code>code &lt;y&gt;</code> <a href="https://e.com/?a=1&amp;b=2">docs</a>',
    );
    expect(markupToTelegramHtml("```ts\nif (a < b) {}\n```")).toBe(
      '<pre><code class="language-ts">if (a &lt; b) {}</code></pre>',
    );
    expect(markupToTelegramHtml("```\nplain & simple\n```")).toBe("<pre>plain &amp; simple</pre>");
    expect(markupToTelegramHtml("- one\n- two")).toBe("• one\n• two");
    expect(markupToTelegramHtml("\\*not bold\\* \\> quoted")).toBe("*not bold* &gt; quoted");
    expect(markupToTelegramHtml("**unclosed and `unclosed")).toBe("**unclosed and `unclosed");
  });

  it("a code block split across messages is a <pre> in each", () => {
    const code = Array.from({ length: 600 }, (_, index) => `x${index} = a < b & c > d`).join("\n");
    const messages = renderTelegramReply({ text: `\`\`\`python\n${code}\n\`\`\`` });
    expect(messages.length).toBeGreaterThan(2);
    for (const html of messages) {
      expect(html.startsWith('<pre><code class="language-python">')).toBe(true);
      expect(html.endsWith("</code></pre>")).toBe(true);
      expect(htmlProblems(html)).toEqual([]);
      expect(visibleText(html).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    }
    expect(messages.map((html) => visibleText(html)).join("\n")).toBe(code);
  });
});
