import { LOG_TAIL_MARKER } from "../execute/outcome.ts";

/** The reason part of a stored error is short; this much of it is shown on a card. */
const REASON_LIMIT = 300;
/** Log lines shown on a card: the end of the log, where a run says why it stopped. */
const TAIL_LINES = 8;
const TAIL_LIMIT = 600;

/**
 * A stored run error split for the `/status` card: the reason, and the *last* lines of Ralph's log. The
 * stored tail starts with planbot's own preamble (clone, branch, sandbox), so a card that showed the first
 * characters of the whole error showed that preamble and cut off the lines that say what went wrong.
 */
export function runErrorParts(error: string): { reason: string; logTail: string | undefined } {
  const at = error.indexOf(LOG_TAIL_MARKER);
  const reason = clip(at === -1 ? error : error.slice(0, at), REASON_LIMIT);
  if (at === -1) return { reason, logTail: undefined };
  const lines = error
    .slice(at + LOG_TAIL_MARKER.length)
    .split("\n")
    .filter((line) => line.trim() !== "");
  let tail = lines.slice(-TAIL_LINES).join("\n");
  // From the end: the last characters are the ones that matter; start at a line boundary when one is near.
  if (tail.length > TAIL_LIMIT) {
    const cut = tail.slice(-TAIL_LIMIT);
    const newline = cut.indexOf("\n");
    tail = `…${newline !== -1 && newline < TAIL_LIMIT / 2 ? cut.slice(newline + 1) : cut}`;
  }
  return { reason, logTail: tail || undefined };
}

function clip(text: string, limit: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= limit ? chars.join("") : `${chars.slice(0, limit - 1).join("")}…`;
}
