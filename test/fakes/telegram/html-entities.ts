import type { MessageEntity } from "grammy/types";

/** Result of parsing formatted text: visible text plus entities (UTF-16 offsets), or the parser's error. */
export type EntityParseResult = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; error: string };

/** UTF-8 byte offset of position `index` in `s` (Telegram reports parse errors in bytes). */
export function byteOffset(s: string, index: number): number {
  return Buffer.byteLength(s.slice(0, index), "utf8");
}

/** Sorts entities the way Telegram returns them: by offset, longer (outer) first. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

const SUPPORTED_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "tg-spoiler",
  "tg-emoji",
  "span",
  "pre",
  "code",
  "blockquote",
]);

const SIMPLE_TYPES: Record<string, MessageEntity["type"]> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  code: "code",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

/**
 * Decodes the HTML entity at `s[i]` (which is "&"). Accepts &lt; &gt; &amp; &quot; &#NNN; &#xHH;
 * with the ";" required. Returns null for anything else (the fake then rejects the text; real
 * Telegram would keep an unknown "&..." literally, but an unescaped "&" is a bug worth catching).
 */
export function decodeHtmlEntity(s: string, i: number): { char: string; end: number } | null {
  const m = /^&(?:([a-zA-Z]+)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7}));/.exec(s.slice(i, i + 16));
  if (!m) return null;
  let char: string | undefined;
  if (m[1] !== undefined) {
    char = NAMED_ENTITIES[m[1]];
  } else {
    const code = m[2] !== undefined ? Number.parseInt(m[2], 10) : Number.parseInt(m[3] ?? "", 16);
    if (code > 0 && code < 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) char = String.fromCodePoint(code);
  }
  return char === undefined ? null : { char, end: i + m[0].length };
}

/** Where the next "<" or "&" at or after `from` is (the end of `s` when there is none). */
function nextMarkup(s: string, from: number): number {
  const tag = s.indexOf("<", from);
  const entity = s.indexOf("&", from);
  if (tag === -1) return entity === -1 ? s.length : entity;
  return entity === -1 ? tag : Math.min(tag, entity);
}

interface OpenTag {
  name: string;
  attrs: Map<string, string>;
  offset: number;
  language?: string;
}

/**
 * Parses Bot API `parse_mode: "HTML"` like tdlib's parse_html: only Telegram's tags, entities
 * &lt; &gt; &amp; &quot; and numeric ones; errors use Telegram's wording (without the
 * "Bad Request: can't parse entities: " prefix, which the caller adds).
 */
export function parseHtml(s: string): EntityParseResult {
  const fail = (error: string): EntityParseResult => ({ ok: false, error });
  const at = (i: number): number => byteOffset(s, i);
  let out = "";
  const stack: OpenTag[] = [];
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "&") {
      const decoded = decodeHtmlEntity(s, i);
      if (!decoded) {
        const word = /^&[^\s&<;]{0,20};?/.exec(s.slice(i))?.[0] ?? "&";
        return fail(
          `Unsupported HTML entity "${word}" at byte offset ${at(i)} (the fake requires every "&" to be escaped as "&amp;")`,
        );
      }
      out += decoded.char;
      i = decoded.end;
      continue;
    }
    if (c !== "<") {
      // Text up to the next tag or entity, in one piece.
      const next = nextMarkup(s, i + 1);
      out += s.slice(i, next);
      i = next;
      continue;
    }
    const begin = i;
    i++;
    if (s[i] !== "/") {
      // start tag
      let j = i;
      while (j < s.length && !isSpace(s[j]) && s[j] !== ">") j++;
      if (j >= s.length) return fail(`Unclosed start tag at byte offset ${at(begin)}`);
      const name = s.slice(i, j).toLowerCase();
      if (!SUPPORTED_TAGS.has(name)) return fail(`Unsupported start tag "${name}" at byte offset ${at(begin)}`);
      i = j;
      const attrs = new Map<string, string>();
      for (;;) {
        while (i < s.length && isSpace(s[i])) i++;
        if (i >= s.length) return fail(`Unclosed start tag at byte offset ${at(begin)}`);
        if (s[i] === ">") break;
        const attrBegin = i;
        while (i < s.length && !isSpace(s[i]) && s[i] !== "=" && s[i] !== ">") i++;
        const attrName = s.slice(attrBegin, i).toLowerCase();
        if (attrName === "") return fail(`Empty attribute name in the tag "${name}" at byte offset ${at(begin)}`);
        while (i < s.length && isSpace(s[i])) i++;
        if (i >= s.length) return fail(`Unclosed start tag at byte offset ${at(begin)}`);
        if (s[i] !== "=") {
          attrs.set(attrName, ""); // valueless attribute, e.g. <blockquote expandable>
          continue;
        }
        i++;
        while (i < s.length && isSpace(s[i])) i++;
        if (i >= s.length) return fail(`Unclosed start tag at byte offset ${at(begin)}`);
        let value = "";
        const quote = s[i];
        if (quote !== '"' && quote !== "'") {
          const tokenBegin = i;
          while (i < s.length && /[A-Za-z0-9.-]/.test(s[i] ?? "")) i++;
          value = s.slice(tokenBegin, i).toLowerCase();
          if (i >= s.length || (!isSpace(s[i]) && s[i] !== ">")) {
            return fail(`Unexpected end of name token at byte offset ${at(tokenBegin)}`);
          }
        } else {
          i++;
          while (i < s.length && s[i] !== quote) {
            if (s[i] === "&") {
              const decoded = decodeHtmlEntity(s, i);
              if (decoded) {
                value += decoded.char;
                i = decoded.end;
                continue;
              }
            }
            value += s[i];
            i++;
          }
          if (i >= s.length) return fail(`Unclosed start tag at byte offset ${at(begin)}`);
          i++; // closing quote
        }
        attrs.set(attrName, value);
      }
      i++; // ">"
      if (name === "span" && attrs.get("class") !== "tg-spoiler") {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at(begin)}`);
      }
      stack.push({ name, attrs, offset: out.length });
      continue;
    }
    // end tag
    if (stack.length === 0) return fail(`Unexpected end tag at byte offset ${at(begin)}`);
    i++;
    let j = i;
    while (j < s.length && !isSpace(s[j]) && s[j] !== ">") j++;
    const endName = s.slice(i, j).toLowerCase();
    i = j;
    while (i < s.length && isSpace(s[i])) i++;
    if (s[i] !== ">") return fail(`Unclosed end tag at byte offset ${at(begin)}`);
    i++;
    const open = stack.pop() as OpenTag;
    if (endName !== "" && endName !== open.name) {
      return fail(`Unmatched end tag at byte offset ${at(begin)}, expected "</${open.name}>", found "</${endName}>"`);
    }
    const length = out.length - open.offset;
    const parent = stack[stack.length - 1];
    const codeClass = open.attrs.get("class") ?? "";
    if (
      open.name === "code" &&
      parent?.name === "pre" &&
      parent.offset === open.offset &&
      codeClass.startsWith("language-")
    ) {
      parent.language = codeClass.slice("language-".length); // <pre><code class="language-x"> becomes one pre entity
      continue;
    }
    if (length === 0) continue;
    const base = { offset: open.offset, length };
    if (open.name === "a") {
      const href = open.attrs.get("href") ?? "";
      const mention = /^tg:\/\/user\?id=(\d+)$/.exec(href);
      if (mention)
        entities.push({
          ...base,
          type: "text_mention",
          user: { id: Number(mention[1]), is_bot: false, first_name: "" },
        });
      else if (href !== "") entities.push({ ...base, type: "text_link", url: href });
    } else if (open.name === "pre") {
      entities.push(open.language ? { ...base, type: "pre", language: open.language } : { ...base, type: "pre" });
    } else if (open.name === "blockquote") {
      entities.push({ ...base, type: open.attrs.has("expandable") ? "expandable_blockquote" : "blockquote" });
    } else if (open.name === "tg-emoji") {
      entities.push({ ...base, type: "custom_emoji", custom_emoji_id: open.attrs.get("emoji-id") ?? "" });
    } else {
      const type = SIMPLE_TYPES[open.name];
      if (type) entities.push({ ...base, type } as MessageEntity);
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  return { ok: true, text: out, entities: sortEntities(entities) };
}
