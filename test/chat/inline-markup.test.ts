// The reply markup's inline part is read by one scanner (src/chat/inline-markup.ts) for Telegram's HTML and
// for the plain and terminal texts: the same line must come out with the same pieces on each surface.
import { describe, expect, it } from "vitest";
import { markupToTelegramHtml } from "../../src/adapters/telegram/telegram-html.ts";
import { CODE_MARKED_STYLES, PLAIN_STYLES, renderPlainText } from "../../src/chat/plain-text.ts";

const plain = (text: string) => renderPlainText({ text }, PLAIN_STYLES);
const marked = (text: string) => renderPlainText({ text }, CODE_MARKED_STYLES);

describe("inline markup, read once for every text surface", () => {
  it("code, bold holding code and a link, and escapes", () => {
    const line = 'Run `/plan a<b>` — **see [the PR](https://example.com/p?a=1&b="2") and `x`** \\*not bold\\*';
    expect(markupToTelegramHtml(line)).toBe(
      'Run <code>/plan a&lt;b&gt;</code> — <b>see <a href="https://example.com/p?a=1&amp;b=&quot;2&quot;">the PR</a> and <code>x</code></b> *not bold*',
    );
    expect(plain(line)).toBe('Run /plan a<b> — see the PR <https://example.com/p?a=1&b="2"> and x *not bold*');
    expect(marked(line)).toBe('Run `/plan a<b>` — see the PR <https://example.com/p?a=1&b="2"> and `x` *not bold*');
  });

  it("an unmatched marker stays as typed on every surface", () => {
    const line = "a ` lone tick, ** open bold, [label](not a url) and a trailing \\";
    expect(plain(line)).toBe(line);
    expect(markupToTelegramHtml(line)).toBe(line);
  });

  it("a closing ** after an escaped star still closes the bold run", () => {
    expect(plain("**5 \\* 3** done")).toBe("5 * 3 done");
    expect(markupToTelegramHtml("**5 \\* 3** done")).toBe("<b>5 * 3</b> done");
  });
});
