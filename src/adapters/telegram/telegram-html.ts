import { chunkText } from "../../chat/chunk.ts";
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

/** Where inline markup can start; the plain text between two of them is escaped in one piece. */
const INLINE_START = /[\\`*[]/g;
/** A markup link, read where a `[` stands (sticky). */
const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/y;
/** What a backslash escapes in the markup. */
const ESCAPABLE = /[\\`*_[\]~|>]/;

/**
 * Inline markup: escapes, `code`, **bold**, [label](url). Runs of plain text are copied (escaped) whole:
 * this renders every reply on its way to Telegram, and a character-by-character copy cost more than the
 * rest of a `/status` round trip's own work.
 */
function inlineHtml(line: string): string {
  let out = "";
  let index = 0;
  while (index < line.length) {
    INLINE_START.lastIndex = index;
    const next = INLINE_START.exec(line)?.index ?? line.length;
    if (next > index) {
      out += escapeHtml(line.slice(index, next));
      index = next;
      if (index >= line.length) break;
    }
    const char = line[index]!;
    if (char === "\\" && index + 1 < line.length && ESCAPABLE.test(line[index + 1]!)) {
      out += escapeHtml(line[index + 1]!);
      index += 2;
      continue;
    }
    if (char === "`") {
      const end = line.indexOf("`", index + 1);
      if (end > index + 1) {
        out += `<code>${escapeHtml(line.slice(index + 1, end))}</code>`;
        index = end + 1;
        continue;
      }
    }
    if (char === "*" && line.startsWith("**", index)) {
      const end = findClosing(line, index + 2, "**");
      if (end > index + 2) {
        out += `<b>${inlineHtml(line.slice(index + 2, end))}</b>`;
        index = end + 2;
        continue;
      }
    }
    if (char === "[") {
      LINK.lastIndex = index;
      const link = LINK.exec(line);
      if (link) {
        out += `<a href="${escapeHtml(link[2]!).replace(/"/g, "&quot;")}">${escapeHtml(link[1]!)}</a>`;
        index += link[0].length;
        continue;
      }
    }
    out += escapeHtml(char);
    index += 1;
  }
  return out;
}

function findClosing(line: string, from: number, marker: string): number {
  let index = from;
  while (index < line.length) {
    if (line[index] === "\\") {
      index += 2;
      continue;
    }
    if (line.startsWith(marker, index)) return index;
    index += 1;
  }
  return -1;
}

/** A reply as Telegram HTML messages, each within Telegram's limit. */
export function renderTelegramReply(reply: Reply, limit = TELEGRAM_TEXT_LIMIT): readonly string[] {
  if (limit !== TELEGRAM_TEXT_LIMIT) return renderChunks(reply.text, limit);
  return rendered.get(reply.text, (text) => renderChunks(text, limit));
}

function renderChunks(text: string, limit: number): string[] {
  return chunkText(text, limit)
    .map(markupToTelegramHtml)
    .filter((html) => html.trim().length > 0);
}

/** 32 texts of up to one message each: under half a megabyte. */
const rendered = createRecentRenders<string>(32, TELEGRAM_TEXT_LIMIT);
