/**
 * The reply markup's inline part, read once for every surface that renders it: backslash escapes,
 * `code`, **bold** and [label](url). A surface says how each piece looks (Telegram HTML, a terminal's
 * styles, plain words); an unmatched marker stays as typed.
 */
export interface InlineRenderer {
  /** Text that is not markup (an escaped character is text too). */
  text(text: string): string;
  code(text: string): string;
  /** `inner` is already rendered: bold may hold code and links. */
  bold(inner: string): string;
  link(label: string, url: string): string;
}

/** Where inline markup can start; the text between two of them is rendered in one piece. */
const INLINE_START = /[\\`*[]/g;
/** A markup link, read where a `[` stands (sticky). */
const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/y;
/** What a backslash escapes in the markup. */
const ESCAPABLE = /[\\`*_[\]~|>]/;

/**
 * Renders one line's inline markup. Runs of plain text go to `text` whole: Telegram renders every reply
 * on its way out, and a character-by-character copy cost more than the rest of a `/status` round trip.
 */
export function renderInline(line: string, renderer: InlineRenderer): string {
  let out = "";
  let index = 0;
  while (index < line.length) {
    INLINE_START.lastIndex = index;
    const next = INLINE_START.exec(line)?.index ?? line.length;
    if (next > index) {
      out += renderer.text(line.slice(index, next));
      index = next;
      if (index >= line.length) break;
    }
    const char = line[index]!;
    if (char === "\\" && index + 1 < line.length && ESCAPABLE.test(line[index + 1]!)) {
      out += renderer.text(line[index + 1]!);
      index += 2;
      continue;
    }
    if (char === "`") {
      const end = line.indexOf("`", index + 1);
      if (end > index + 1) {
        out += renderer.code(line.slice(index + 1, end));
        index = end + 1;
        continue;
      }
    }
    if (char === "*" && line.startsWith("**", index)) {
      const end = closingBold(line, index + 2);
      if (end > index + 2) {
        out += renderer.bold(renderInline(line.slice(index + 2, end), renderer));
        index = end + 2;
        continue;
      }
    }
    if (char === "[") {
      LINK.lastIndex = index;
      const link = LINK.exec(line);
      if (link) {
        out += renderer.link(link[1]!, link[2]!);
        index += link[0].length;
        continue;
      }
    }
    out += renderer.text(char);
    index += 1;
  }
  return out;
}

/** Where the `**` closing a bold run starts, skipping escaped characters; -1 when it is never closed. */
function closingBold(line: string, from: number): number {
  let index = from;
  while (index < line.length) {
    if (line[index] === "\\") {
      index += 2;
      continue;
    }
    if (line.startsWith("**", index)) return index;
    index += 1;
  }
  return -1;
}
