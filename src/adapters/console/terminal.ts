import { readFileSync, writeFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/** Lines kept in the history file. */
const HISTORY_SIZE = 500;

/** Options of {@link createTerminal}. */
export interface TerminalOptions {
  input: Readable;
  output: Writable;
  /** Line editing, history and a prompt: on for a TTY, off for piped input (lines are read as they come). */
  interactive: boolean;
  /** Where history is kept between runs (interactive only). */
  historyFile?: string | undefined;
  prompt?: string;
  /**
   * A terminal that cannot move its cursor: `TERM=dumb` (the default reads it as node:readline itself does),
   * where readline only appends and a clear-line escape would print as text.
   */
  dumb?: boolean;
}

/** A terminal chat UI: reads lines, prints above the prompt, reports Ctrl-C. */
export interface Terminal {
  /** Every line typed or piped in, until the input ends (Ctrl-D) or {@link Terminal.close}. */
  lines(): AsyncIterable<string>;
  /** Prints a block of text without disturbing what the user is typing. */
  print(text: string): void;
  /**
   * Called on Ctrl-C with the half-typed line it dropped ("" when the line was empty); without a handler
   * Ctrl-C closes the terminal.
   */
  onInterrupt(handler: (dropped: string) => void): void;
  close(): void;
}

/**
 * node:readline over the terminal: with `interactive`, arrow keys edit the line and walk the history
 * (saved to `historyFile`), and the TTY is in raw mode so a long pasted line is not cut at the kernel's
 * 4 KB line buffer. Output that arrives while the user types is printed above the prompt, which is then
 * redrawn with the half-typed line intact.
 */
export function createTerminal(options: TerminalOptions): Terminal {
  const { output, interactive } = options;
  const dumb = options.dumb ?? process.env.TERM === "dumb";
  const history = interactive && options.historyFile ? readHistory(options.historyFile) : [];
  const rl: Interface = createInterface({
    input: options.input,
    output: interactive ? output : undefined,
    terminal: interactive,
    crlfDelay: Number.POSITIVE_INFINITY,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: options.prompt ?? "planbot> ",
  });
  // Subscribe now: readline emits lines as soon as input arrives, and lines emitted before the caller
  // starts iterating would otherwise be dropped.
  const queued = rl[Symbol.asyncIterator]();
  let interrupt: ((dropped: string) => void) | undefined;
  let closed = false;
  // Whether the prompt (and what is typed after it) ends the output: what a dumb terminal prints next must
  // then start on a line of its own. Enter ends that line (readline writes the newline).
  let atPrompt = false;
  const prompt = (preserveCursor?: boolean) => {
    // A dumb terminal cannot redraw a prompt in place: a second one would be appended to the first.
    if (dumb && atPrompt && preserveCursor) return;
    rl.prompt(preserveCursor);
    atPrompt = true;
  };
  rl.on("line", () => {
    atPrompt = false;
  });
  rl.on("SIGINT", () => {
    // As in a shell, Ctrl-C abandons the half-typed line: kept, it would be glued to the next one typed.
    const dropped = rl.line;
    if (dropped) {
      // readline's own abandon-the-line step, which node's REPL uses on Ctrl-C: no editing key would do it
      // in TERM=dumb, where readline only appends. The dropped line stays visible above a fresh prompt.
      (rl as Interface & { clearLine(): void }).clearLine();
      prompt();
    }
    if (interrupt) interrupt(dropped);
    else rl.close();
  });
  rl.on("history", (lines: string[]) => {
    if (!options.historyFile) return;
    try {
      writeFileSync(options.historyFile, `${lines.slice(0, HISTORY_SIZE).reverse().join("\n")}\n`, { mode: 0o600 });
    } catch {
      // History is a convenience; a read-only data dir must not break the chat.
    }
  });
  rl.on("close", () => {
    // Ctrl-D leaves the cursor after the prompt: what is still printed (or the shell's prompt) starts a line.
    if (interactive) output.write("\n");
    closed = true;
  });

  return {
    lines() {
      if (interactive) prompt();
      return {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const next = await queued.next();
            if (!next.done && interactive && !closed) setImmediate(() => !closed && prompt(true));
            return next;
          },
        }),
      };
    },
    print(text) {
      const block = text.endsWith("\n") ? text : `${text}\n`;
      if (!interactive || closed) {
        output.write(block);
        return;
      }
      if (dumb) {
        // No cursor to move: the block starts below the prompt, and the prompt comes again with what the user
        // had typed (readline's own redraw writes only the prompt there).
        output.write(atPrompt ? `\n${block}` : block);
        atPrompt = false;
        prompt(true);
        output.write(rl.line);
        return;
      }
      // Clear the prompt line, print, and redraw the prompt with whatever the user had typed.
      output.write("\r\x1b[K");
      output.write(block);
      prompt(true);
    },
    onInterrupt(handler) {
      interrupt = handler;
    },
    close() {
      closed = true;
      rl.close();
    },
  };
}

function readHistory(file: string): string[] {
  try {
    // The file is oldest first; readline wants newest first.
    return readFileSync(file, "utf8").split("\n").filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}
