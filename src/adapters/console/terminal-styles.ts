import type { Writable } from "node:stream";
import { PLAIN_STYLES, type TextStyles } from "../../chat/plain-text.ts";

/** Bold as bold, code in cyan: ANSI escapes that every colour terminal shows, each reset on its own. */
export const ANSI_STYLES: TextStyles = {
  bold: (text) => `\x1b[1m${text}\x1b[22m`,
  code: (text) => `\x1b[36m${text}\x1b[39m`,
};

/** What a terminal chat prints replies with: ANSI styles, or plain words without the markup's markers. */
export type TerminalLook = "styled" | "plain";

/**
 * Styled only when `output` is a terminal that shows colours: Node's `hasColors()` already says no for a
 * pipe or file, `TERM=dumb`, and `NO_COLOR` (https://no-color.org) set to anything.
 */
export function terminalLookOf(output: Writable): TerminalLook {
  const tty = output as Writable & { isTTY?: boolean; hasColors?: () => boolean };
  return tty.isTTY === true && tty.hasColors?.() === true ? "styled" : "plain";
}

/** The styles of a {@link TerminalLook}. */
export function stylesOf(look: TerminalLook): TextStyles {
  return look === "styled" ? ANSI_STYLES : PLAIN_STYLES;
}
