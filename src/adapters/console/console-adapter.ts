import type { Readable, Writable } from "node:stream";
import type { Outbound } from "../../chat/outbound.ts";
import { renderPlainText } from "../../chat/plain-text.ts";
import type { AdapterBot } from "../contract.ts";
import { createConsoleSession, WAITING_BEFORE_QUIT } from "./console-session.ts";
import { createTerminal } from "./terminal.ts";
import { stylesOf, type TerminalLook } from "./terminal-styles.ts";

export { CONSOLE_CHANNEL } from "./console-session.ts";

/** Dependencies of {@link createConsoleAdapter}. */
export interface ConsoleAdapterDeps {
  bot: Pick<AdapterBot, "handle" | "commandFor">;
  input: Readable;
  output: Writable;
  userName: string;
  /** Line editing, history and a prompt (off when stdin is not a terminal, e.g. piped input). */
  prompt?: boolean;
  /** Where line history is kept between runs. */
  historyFile?: string | undefined;
  /** How replies print: styled on a colour terminal, plain words otherwise (the default). */
  look?: TerminalLook;
  /**
   * Each line waits for the answer to the one before, planner turns included (`planbot chat` with piped
   * input, see console-session.ts). Off by default: a planner turn never holds up the prompt.
   */
  inOrder?: boolean;
}

/** A running terminal chat. */
export interface ConsoleAdapter {
  /** Reads lines until the input ends or {@link ConsoleAdapter.close} is called, then waits for their answers. */
  run(): Promise<void>;
  /** Prints replies that other chats' activity sends here (mirrored planner replies, notifications). */
  outbound: Outbound;
  /** Stops reading and stops any planner turn started here. */
  close(): void;
}

/**
 * The terminal chat of a standalone `planbot chat` (when no `planbot start` runs for the data dir; see
 * socket-client.ts for the attached case): the first proof that the core needs no platform. The user is
 * the machine's owner, so the core treats them as an admin. Quick commands answer in order; at a prompt a
 * planner turn never holds up the next line, while piped lines (`inOrder`) each wait for the one before;
 * Ctrl-C stops a running turn, and twice in a row with none running quits.
 */
export function createConsoleAdapter(deps: ConsoleAdapterDeps): ConsoleAdapter {
  const terminal = createTerminal({
    input: deps.input,
    output: deps.output,
    interactive: deps.prompt ?? false,
    historyFile: deps.historyFile,
  });
  const look = deps.look ?? "plain";
  const styles = stylesOf(look);
  const session = createConsoleSession(deps.bot, deps.userName, (text) => terminal.print(text), {
    look,
    inOrder: deps.inOrder,
  });
  // Lines read before a quit (piped lines waiting for their turn) are dropped, not handled after it.
  let quit = false;
  const quitNow = () => {
    quit = true;
    terminal.close();
  };
  // One stray Ctrl-C must not end this planbot (and the terminals attached to it): with nothing running it
  // asks for a second one, and a line typed in between starts over. Ctrl-C on a half-typed line only drops
  // that line, as in a shell. Ctrl-D quits at once.
  let quitAsked = false;
  terminal.onInterrupt((dropped) => {
    if (dropped) {
      quitAsked = false;
      return;
    }
    const stopped = session.interrupt();
    if (stopped)
      terminal.print(
        `Stopping ${stopped === 1 ? "the planner turn" : `${stopped} planner turns`}… (Ctrl-C again with nothing running quits)`,
      );
    else if (quitAsked) quitNow();
    else terminal.print("Nothing is running. Ctrl-C again or Ctrl-D quits.");
    quitAsked = true;
  });

  return {
    async run() {
      for await (const line of terminal.lines()) {
        if (quit) break;
        quitAsked = false;
        await session.submit(line);
      }
      if (!quit && session.pending()) terminal.print(WAITING_BEFORE_QUIT);
      await session.drain();
    },
    outbound: {
      // planbot chat runs as the user that owns the data folder: the server's operator.
      operator: true,
      async send(_target, reply) {
        terminal.print(renderPlainText(reply, styles));
        return { ok: true, messageIds: [] };
      },
      // A terminal cannot change what it printed: an update (a run's progress) is a new line.
      async edit(_target, messageId, reply) {
        terminal.print(renderPlainText(reply, styles));
        return { ok: true, messageId };
      },
    },
    close() {
      session.interrupt();
      quitNow();
    },
  };
}
