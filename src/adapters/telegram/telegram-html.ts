import { chunkText } from "../../chat/chunk.ts";
import { type InlineRenderer, renderInline } from "../../chat/inline-markup.ts";
import { numberOrderedLists } from "../../chat/list-numbers.ts";
import type { Reply } from "../../chat/reply.ts";
import { createRecentRenders } from "../kit/recent-renders.ts";

/** Telegram's limit, counted after entity parsing; the markup source is never shorter than that, so chunking the source is safe. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Escapes the three characters Telegram's HTML parse mode needs escaped. */
export function escapeHtml(text: string): string {
  // Most text has none of them: skip the three passes over it.
  if (!HTML_SPECIAL.test(text)) return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const HTML_SPECIAL = /[&<>]/;

const FENCE = /^[ \t]*(```+|~~~+)\s*([\w+#.-]*)/;

/**
 * Converts the reply markup to Telegram HTML. Everything that is not markup is escaped, so planner
 * output full of `<` and `&` arrives as written, and unmatched markers stay literal text rather than
 * producing an entity Telegram would reject.
 */
export function markupToTelegramHtml(markup: string): string {
  const out: string[] = [];
  const lines = markup.split("\n");
  let codeLines: string[] | undefined;
  let language = "";
  for (const line of lines) {
    const fence = FENCE.exec(line);
    if (codeLines) {
      if (fence && !fence[2]) {
        out.push(codeBlockHtml(codeLines.join("\n"), language));
        codeLines = undefined;
      } else {
        codeLines.push(line);
      }
      continue;
    }
    if (fence) {
      codeLines = [];
      language = fence[2] ?? "";
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      out.push(`<b>${inlineHtml(heading[1]!)}</b>`);
      continue;
    }
    const item = /^(\s*)[-*]\s+(.*)$/.exec(line);
    out.push(item ? `${item[1]}• ${inlineHtml(item[2]!)}` : inlineHtml(line));
  }
  if (codeLines) out.push(codeBlockHtml(codeLines.join("\n"), language));
  return out.join("\n");
}

function codeBlockHtml(text: string, language: string): string {
  const body = escapeHtml(text);
  return language ? `<pre><code class="language-${escapeHtml(language)}">${body}</code></pre>` : `<pre>${body}</pre>`;
}

/** The inline markup as Telegram HTML: everything that is not markup escaped. */
const HTML_INLINE: InlineRenderer = {
  text: escapeHtml,
  code: (text) => `<code>${escapeHtml(text)}</code>`,
  bold: (inner) => `<b>${inner}</b>`,
  link: (label, url) => `<a href="${escapeHtml(url).replace(/"/g, "&quot;")}">${escapeHtml(label)}</a>`,
};

function inlineHtml(line: string): string {
  return renderInline(line, HTML_INLINE);
}

/** A reply as Telegram HTML messages, each within Telegram's limit. */
export function renderTelegramReply(reply: Reply, limit = TELEGRAM_TEXT_LIMIT): readonly string[] {
  if (limit !== TELEGRAM_TEXT_LIMIT) return renderChunks(reply.text, limit);
  return rendered.get(reply.text, (text) => renderChunks(text, limit));
}

function renderChunks(text: string, limit: number): string[] {
  // Telegram shows no lists of its own: ordered items get a renderer's numbers, before a long list is split.
  return chunkText(numberOrderedLists(text), limit)
    .map(markupToTelegramHtml)
    .filter((html) => html.trim().length > 0);
}

/** 32 texts of up to one message each: under half a megabyte. */
const rendered = createRecentRenders<string>(32, TELEGRAM_TEXT_LIMIT);
