/**
 * Ordered lists numbered as a Markdown renderer numbers them. Claude writes every item as `1.` and counts on
 * the renderer: the first item's number starts the list and the rest count up from it. Surfaces that show
 * the markup as text (the terminal, Telegram) would print `1. 1. 1.`, and Discord, which renders lists
 * itself, would restart at 1 in each message of a reply split in two. So every surface is given the numbers
 * a renderer would show, before the reply is split into messages.
 *
 * The rules are CommonMark's, as far as chat replies use them: a list goes on across blank lines between
 * its items; a paragraph that is not indented under an item ends it (a line right after an item's text,
 * with no blank line between, still belongs to that item); a nested list, indented under an item, keeps its
 * own count; another delimiter (`.` / `)`) or a bullet starts a new list; fenced code is left alone.
 */

/** One list still open at the current line. */
interface OpenList {
  /** The text column of the item holding this list (0 for a list at the top). */
  within: number;
  /** The text column of its latest item: a line indented this far belongs to that item. */
  content: number;
  /** `.` or `)` for a numbered list, the bullet character for the others. */
  marker: string;
  ordered: boolean;
  /** The number the next item shows. */
  next: number;
}

/** A list item: its indentation, then a number with its delimiter or a bullet, then spaces (or the line's end). */
const ITEM = /^([ \t]*)(?:(\d{1,9})([.)])|([-*+]))([ \t]+|$)/;
/** A fenced code block's opening or closing line. */
const FENCE = /^[ \t]*(```+|~~~+)/;
/** Lines that are blocks of their own, never a paragraph's continuation: headings and thematic breaks. */
const BLOCK = /^[ \t]*(#{1,6}([ \t]|$)|([-*_])([ \t]*\3){2,}[ \t]*$)/;
/** A cheap test for whether a text may hold a numbered item at all: most replies have none. */
const MAY_NUMBER = /^[ \t]*\d{1,9}[.)]/m;

/** `markup` with each numbered list item showing the number a Markdown renderer would give it. */
export function numberOrderedLists(markup: string): string {
  if (!MAY_NUMBER.test(markup)) return markup;
  const lists: OpenList[] = [];
  const out: string[] = [];
  let fence: string | undefined;
  // Whether the line before was paragraph text (an item's or not), which a next line may continue.
  let inParagraph = false;
  const closeListsDeeperThan = (indent: number) => {
    while (lists.length && indent < lists[lists.length - 1]!.content) lists.pop();
  };

  for (const line of markup.split("\n")) {
    const opens = FENCE.exec(line);
    if (fence !== undefined) {
      if (opens && opens[1] === fence && line.trim() === fence) fence = undefined;
      out.push(line);
      continue;
    }
    out.push(line);
    if (!line.trim()) {
      inParagraph = false;
      continue;
    }
    const indent = columns(/^[ \t]*/.exec(line)![0]);
    if (opens || BLOCK.test(line)) {
      if (opens) fence = opens[1]!;
      closeListsDeeperThan(indent);
      inParagraph = false;
      continue;
    }
    const item = ITEM.exec(line);
    if (!item || startsNoList(item, inParagraph, lists, indent)) {
      // Right after paragraph text a line continues it, even unindented; after a blank line it must be
      // indented under an item to stay inside it.
      if (!inParagraph) closeListsDeeperThan(indent);
      inParagraph = true;
      continue;
    }
    const numbered = numberItem(lists, item, indent);
    if (numbered !== undefined)
      out[out.length - 1] = `${item[1]}${numbered}${line.slice(item[1]!.length + item[2]!.length)}`;
    inParagraph = line.length > item[0].length;
  }
  return out.join("\n");
}

/**
 * Fits the item into the open lists (a sibling, a new list in its place, or a list nested in the item
 * before) and returns the number it shows, or undefined when it keeps its marker as written.
 */
function numberItem(lists: OpenList[], item: RegExpExecArray, indent: number): number | undefined {
  const ordered = item[2] !== undefined;
  const marker = ordered ? item[3]! : item[4]!;
  // The item's text starts after the marker and its spaces; more than four spaces (or none) count as one.
  const spaces = item[5]!.length;
  const content = indent + (item[2]?.length ?? 0) + 1 + (spaces >= 1 && spaces <= 4 ? spaces : 1);
  while (lists.length && indent < lists[lists.length - 1]!.within) lists.pop();
  const last = lists[lists.length - 1];
  if (last && indent < last.content) {
    if (last.ordered === ordered && last.marker === marker) {
      last.content = content;
      return ordered ? last.next++ : undefined;
    }
    // Another delimiter or a bullet at the same level starts a new list there.
    lists.pop();
  }
  const start = ordered ? Number(item[2]) : 0;
  lists.push({
    within: last && indent >= last.content ? last.content : (last?.within ?? 0),
    content,
    marker,
    ordered,
    next: start + 1,
  });
  return undefined;
}

/** A numbered line that starts no list: only `1.` may interrupt a paragraph outside a list (CommonMark). */
function startsNoList(item: RegExpExecArray, inParagraph: boolean, lists: OpenList[], indent: number): boolean {
  if (!inParagraph || item[2] === undefined || Number(item[2]) === 1) return false;
  const last = lists[lists.length - 1];
  return !last || indent >= last.content;
}

/** The width of leading whitespace, a tab counting to the next multiple of 4 as in Markdown. */
function columns(whitespace: string): number {
  let width = 0;
  for (const char of whitespace) width = char === "\t" ? width + 4 - (width % 4) : width + 1;
  return width;
}
