import { renderInline } from "./inline-markup.ts";
import { numberOrderedLists } from "./list-numbers.ts";
import { KEEP_TALKING_COMMAND, type Reply } from "./reply.ts";

/**
 * How a text surface shows the reply markup's emphasis. The plain styles drop the markers and keep the
 * words; a terminal that shows colours passes ANSI styles (src/adapters/console/terminal-styles.ts).
 */
export interface TextStyles {
  bold(text: string): string;
  code(text: string): string;
}

/** No styling at all: `**bold**` and `` `code` `` read as their words. */
export const PLAIN_STYLES: TextStyles = { bold: (text) => text, code: (text) => text };

/**
 * Plain text that keeps code marked with backticks: for the HTTP API's messages, which the dashboard renders
 * as reply markup (a command or a file name as code, and its hint rewriter finds the commands by their
 * marks) and a script reads as text.
 */
export const CODE_MARKED_STYLES: TextStyles = { bold: (text) => text, code: (text) => `\`${text}\`` };

/**
 * The reply markup as terminal text: bold and code shown through `styles` (plain by default: markers
 * dropped), links as `label <url>`, escapes resolved, code blocks indented without their fences, ordered
 * lists numbered as a Markdown renderer shows them, and buttons listed as the commands they run.
 */
export function renderPlainText(reply: Reply, styles: TextStyles = PLAIN_STYLES): string {
  const text = markupToText(reply.text, styles);
  // In a terminal "keep talking" is simply typing on, so that button is not listed as a command to type.
  const actions = (reply.actions ?? [])
    .filter((action) => action.command !== KEEP_TALKING_COMMAND)
    .map((action) => `  [${action.label}] ${styles.code(action.command)}`);
  // A terminal shows where the file is rather than pouring a whole document into the chat.
  const file = reply.attachment
    ? [`  (${reply.attachment.name}${reply.attachment.path ? `: ${reply.attachment.path}` : " attached"})`]
    : [];
  const lines = [...file, ...actions];
  return lines.length ? `${text}\n${lines.join("\n")}` : text;
}

const FENCE = /^[ \t]*(```+|~~~+)/;

/** Converts markup line by line: a fenced block's lines are indented and shown as code, the rest read inline. */
function markupToText(markup: string, styles: TextStyles): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of numberOrderedLists(markup).split("\n")) {
    const opens = FENCE.exec(line);
    if (fence !== undefined) {
      if (opens && opens[1] === fence && line.trim() === fence) fence = undefined;
      else out.push(`    ${styles.code(line)}`);
      continue;
    }
    if (opens) {
      fence = opens[1]!;
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    out.push(heading ? styles.bold(inlineText(heading[1]!, styles)) : inlineText(line, styles));
  }
  return out.join("\n");
}

/** The inline markup in a text surface's `styles`; a link shows its label and its address. */
function inlineText(line: string, styles: TextStyles): string {
  return renderInline(line, {
    text: (text) => text,
    code: styles.code,
    bold: styles.bold,
    link: (label, url) => `${label} <${url}>`,
  });
}
