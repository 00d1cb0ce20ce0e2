import type { MessageEntity } from "grammy/types";
import { parseHtml, type EntityParseResult } from "./html-entities.ts";
import { parseMarkdownLegacy, parseMarkdownV2 } from "./markdown-entities.ts";

/** Telegram's limit for message text after entity parsing, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 4096;

/** Visible text and entities of a message, or the Bot API error description ("Bad Request: ..."). */
export type PreparedText = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; description: string };

/** Applies parse_mode (HTML, MarkdownV2, Markdown; case-insensitive) or explicit entities to raw text. */
export function parseFormatted(
  raw: string,
  parseMode: string | undefined,
  entities: unknown,
): EntityParseResult | { ok: false; unsupported: true } {
  if (parseMode === undefined || parseMode === "") {
    return { ok: true, text: raw, entities: Array.isArray(entities) ? (entities as MessageEntity[]) : [] };
  }
  switch (parseMode.toLowerCase()) {
    case "html":
      return parseHtml(raw);
    case "markdownv2":
      return parseMarkdownV2(raw);
    case "markdown":
      return parseMarkdownLegacy(raw);
    default:
      return { ok: false, unsupported: true };
  }
}

/** Strips leading/trailing whitespace like Telegram does and shifts/clips entities to match. */
export function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const kept: MessageEntity[] = [];
  for (const e of entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(trimmed.length, e.offset + e.length - lead);
    if (end > start) kept.push({ ...e, offset: start, length: end - start });
  }
  return { text: trimmed, entities: kept };
}

/**
 * Full message-text pipeline of sendMessage / editMessageText: parse, trim, then check
 * 1..4096 UTF-16 code units; errors carry Telegram's exact descriptions.
 */
export function prepareMessageText(raw: unknown, parseMode: unknown, entities?: unknown): PreparedText {
  if (typeof raw !== "string" || raw === "") return { ok: false, description: "Bad Request: message text is empty" };
  const mode = typeof parseMode === "string" ? parseMode : undefined;
  const parsed = parseFormatted(raw, mode, entities);
  if (!parsed.ok) {
    return "unsupported" in parsed
      ? { ok: false, description: "Bad Request: unsupported parse_mode" }
      : { ok: false, description: `Bad Request: can't parse entities: ${parsed.error}` };
  }
  const trimmed = trimFormatted(parsed.text, parsed.entities);
  if (trimmed.text.length === 0) return { ok: false, description: "Bad Request: message text is empty" };
  if (trimmed.text.length > MAX_MESSAGE_LENGTH) return { ok: false, description: "Bad Request: message is too long" };
  return { ok: true, ...trimmed };
}
