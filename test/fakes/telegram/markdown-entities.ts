import type { MessageEntity } from "grammy/types";
import { byteOffset, sortEntities, type EntityParseResult } from "./html-entities.ts";

type MdType =
  | "Bold"
  | "Italic"
  | "Underline"
  | "Strikethrough"
  | "Spoiler"
  | "Code"
  | "Pre"
  | "PreCode"
  | "TextUrl"
  | "CustomEmoji";

interface OpenEntity {
  type: MdType;
  language?: string;
  offset: number;
  byteStart: number;
}

const RESERVED_V2 = "_*[]()~`>#+-=|{}.!";
const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";
const reservedError = (c: string): EntityParseResult => ({
  ok: false,
  error: `Character '${c}' is reserved and must be escaped with the preceding '\\'`,
});

/** Reads a "(url)" part starting at s[i] === "("; backslash escapes any ASCII char. Returns url and index of ")" or null. */
function readUrl(s: string, i: number): { url: string; close: number } | null {
  let url = "";
  let j = i + 1;
  while (j < s.length && s[j] !== ")") {
    const next = s.charCodeAt(j + 1);
    if (s[j] === "\\" && next > 0 && next <= 126) {
      url += s[j + 1];
      j += 2;
      continue;
    }
    url += s[j];
    j++;
  }
  return j < s.length ? { url, close: j } : null;
}

/** Skips a language tag and one leading newline after an opening ``` (shared by both Markdown flavours). */
function openPre(s: string, i: number): { next: number; language?: string } {
  let language: string | undefined;
  let end = i;
  while (end < s.length && !isSpace(s[end]) && s[end] !== "`") end++;
  if (end !== i && end < s.length && s[end] !== "`") {
    language = s.slice(i, end);
    i = end;
  }
  if (s[i] === "\n" || s[i] === "\r") {
    i += (s[i + 1] === "\n" || s[i + 1] === "\r") && s[i] !== s[i + 1] ? 2 : 1;
  }
  return language === undefined ? { next: i } : { next: i, language };
}

/**
 * Parses Bot API `parse_mode: "MarkdownV2"` following tdlib's parse_markdown_v2: every character of
 * _*[]()~`>#+-=|{}.! outside markup must be escaped with "\"; inside code/pre only ` and \ must be.
 * Supported: *bold* _italic_ __underline__ ~strike~ ||spoiler|| `code` ```lang pre``` [text](url)
 * ![emoji](tg://emoji?id=N) and ">" quote lines. Not supported: "**>" expandable quotes.
 */
export function parseMarkdownV2(s: string): EntityParseResult {
  let out = "";
  const stack: OpenEntity[] = [];
  const entities: MessageEntity[] = [];
  let quoteStart: number | null = null;
  const closeQuote = (): void => {
    if (quoteStart === null) return;
    const end = out.endsWith("\n") ? out.length - 1 : out.length;
    if (end > quoteStart) entities.push({ type: "blockquote", offset: quoteStart, length: end - quoteStart });
    quoteStart = null;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const atLineStart = i === 0 || s[i - 1] === "\n";
    if (atLineStart && stack.length === 0) {
      if (c === ">") {
        if (quoteStart === null) quoteStart = out.length;
        continue;
      }
      closeQuote();
    }
    const next = s.charCodeAt(i + 1);
    if (c === "\\" && next > 0 && next <= 126) {
      i++;
      out += s[i];
      continue;
    }
    const top = stack[stack.length - 1];
    const inCode = top !== undefined && (top.type === "Code" || top.type === "Pre" || top.type === "PreCode");
    const reserved = inCode ? "`" : RESERVED_V2;
    if (!reserved.includes(c)) {
      out += c;
      continue;
    }
    let isEnd = false;
    if (top) {
      switch (top.type) {
        case "Bold":
          isEnd = c === "*";
          break;
        case "Italic":
          isEnd = c === "_" && s[i + 1] !== "_";
          break;
        case "Code":
          isEnd = c === "`";
          break;
        case "Pre":
        case "PreCode":
          isEnd = c === "`" && s[i + 1] === "`" && s[i + 2] === "`";
          break;
        case "TextUrl":
        case "CustomEmoji":
          isEnd = c === "]";
          break;
        case "Underline":
          isEnd = c === "_" && s[i + 1] === "_";
          break;
        case "Strikethrough":
          isEnd = c === "~";
          break;
        case "Spoiler":
          isEnd = c === "|" && s[i + 1] === "|";
          break;
      }
    }
    if (!isEnd) {
      const byteStart = byteOffset(s, i);
      let type: MdType;
      let language: string | undefined;
      switch (c) {
        case "_":
          if (s[i + 1] === "_") {
            type = "Underline";
            i++;
          } else type = "Italic";
          break;
        case "*":
          type = "Bold";
          break;
        case "~":
          type = "Strikethrough";
          break;
        case "|":
          if (s[i + 1] !== "|") return reservedError(c);
          i++;
          type = "Spoiler";
          break;
        case "[":
          type = "TextUrl";
          break;
        case "!":
          if (s[i + 1] !== "[") return reservedError(c);
          i++;
          type = "CustomEmoji";
          break;
        case "`":
          if (s[i + 1] === "`" && s[i + 2] === "`") {
            const pre = openPre(s, i + 3);
            type = pre.language === undefined ? "Pre" : "PreCode";
            language = pre.language;
            i = pre.next - 1;
          } else type = "Code";
          break;
        default:
          return reservedError(c);
      }
      stack.push(
        language === undefined
          ? { type, offset: out.length, byteStart }
          : { type, language, offset: out.length, byteStart },
      );
      continue;
    }
    const open = stack.pop() as OpenEntity;
    const base = { offset: open.offset, length: out.length - open.offset };
    let entity: MessageEntity | undefined;
    switch (open.type) {
      case "Bold":
        entity = { ...base, type: "bold" };
        break;
      case "Italic":
        entity = { ...base, type: "italic" };
        break;
      case "Strikethrough":
        entity = { ...base, type: "strikethrough" };
        break;
      case "Code":
        entity = { ...base, type: "code" };
        break;
      case "Underline":
        i++;
        entity = { ...base, type: "underline" };
        break;
      case "Spoiler":
        i++;
        entity = { ...base, type: "spoiler" };
        break;
      case "Pre":
      case "PreCode":
        i += 2;
        entity =
          open.language === undefined ? { ...base, type: "pre" } : { ...base, type: "pre", language: open.language };
        break;
      case "TextUrl": {
        let url: string;
        if (s[i + 1] !== "(") {
          url = out.slice(open.offset);
        } else {
          const read = readUrl(s, i + 1);
          if (!read) return { ok: false, error: `Can't find end of a URL at byte offset ${byteOffset(s, i + 2)}` };
          url = read.url;
          i = read.close;
        }
        if (url !== "") entity = { ...base, type: "text_link", url };
        break;
      }
      case "CustomEmoji": {
        const read = s[i + 1] === "(" ? readUrl(s, i + 1) : null;
        const id = read ? /^tg:\/\/emoji\?id=(\d+)$/.exec(read.url)?.[1] : undefined;
        if (!read || id === undefined) return { ok: false, error: "Custom emoji entity must contain a tg://emoji URL" };
        i = read.close;
        entity = { ...base, type: "custom_emoji", custom_emoji_id: id };
        break;
      }
    }
    if (entity && entity.length > 0) entities.push(entity);
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed)
    return { ok: false, error: `Can't find end of ${unclosed.type} entity at byte offset ${unclosed.byteStart}` };
  closeQuote();
  return { ok: true, text: out, entities: sortEntities(entities) };
}

/**
 * Parses legacy `parse_mode: "Markdown"` following tdlib's parse_markdown: *bold* _italic_ `code`
 * ```lang pre``` [text](url), no nesting; only _ * ` [ may be escaped with "\".
 */
export function parseMarkdownLegacy(s: string): EntityParseResult {
  let out = "";
  const entities: MessageEntity[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "\\" && "_*`[".includes(s[i + 1] ?? "\u0000")) {
      i++;
      out += s[i];
      continue;
    }
    if (!"_*`[".includes(c)) {
      out += c;
      continue;
    }
    const begin = i;
    const endChar = c === "[" ? "]" : c;
    let isPre = false;
    let language: string | undefined;
    i++;
    if (c === "`" && s[i] === "`" && s[i + 1] === "`") {
      isPre = true;
      const pre = openPre(s, i + 2);
      language = pre.language;
      i = pre.next;
    }
    const offset = out.length;
    while (i < s.length && (s[i] !== endChar || (isPre && !(s[i + 1] === "`" && s[i + 2] === "`")))) {
      out += s[i];
      i++;
    }
    if (i >= s.length)
      return { ok: false, error: `Can't find end of the entity starting at byte offset ${byteOffset(s, begin)}` };
    const base = { offset, length: out.length - offset };
    if (c === "[" && s[i + 1] === "(") {
      const close = s.indexOf(")", i + 2);
      const url = close === -1 ? s.slice(i + 2) : s.slice(i + 2, close);
      i = close === -1 ? s.length : close;
      if (base.length > 0 && url !== "") entities.push({ ...base, type: "text_link", url });
    } else if (base.length > 0) {
      if (c === "_") entities.push({ ...base, type: "italic" });
      else if (c === "*") entities.push({ ...base, type: "bold" });
      else if (c === "[") entities.push({ ...base, type: "text_link", url: out.slice(offset) });
      else if (isPre)
        entities.push(language === undefined ? { ...base, type: "pre" } : { ...base, type: "pre", language });
      else entities.push({ ...base, type: "code" });
    }
    if (isPre) i += 2;
  }
  return { ok: true, text: out, entities: sortEntities(entities) };
}
