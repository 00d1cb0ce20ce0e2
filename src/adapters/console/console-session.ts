import type { Incoming } from "../../chat/incoming.ts";
import { renderPlainText } from "../../chat/plain-text.ts";
import type { AdapterBot } from "../contract.ts";
import { stylesOf, type TerminalLook } from "./terminal-styles.ts";

/** The terminal is one chat: adapter `console`, channel `terminal` — whichever terminal types into it. */
export const CONSOLE_ADAPTER = "console";
export const CONSOLE_CHANNEL = "terminal";

/** What a terminal session prints: replies, and the working / elapsed-time lines of planner turns. */
export type Print = (text: string) => void;

/** `/quit`, `/exit`, `/q`: not planbot commands, but what someone trying to leave the terminal chat types. */
const QUIT_WORDS = /^\/(quit|exit|q)$/i;

/** The answer to {@link QUIT_WORDS}. */
export const HOW_TO_QUIT = "To leave the terminal chat press Ctrl-D (Ctrl-C stops a running planner turn).";

/** The answer to a line that held bytes that are not UTF-8 (read as U+FFFD): it is not handled. */
export const NOT_UTF8 =
  "That line holds bytes that are not UTF-8 text (shown as \uFFFD), so planbot did not act on it. Set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and send it again.";

/** Said when the input ends (Ctrl-D) while a line is still being answered, so the wait is not a silent one. */
export const WAITING_BEFORE_QUIT = "Waiting for the planner's answer before quitting (Ctrl-C stops it).";

/** One person's terminal talking to the core. */
export interface ConsoleSession {
  /**
   * Hands a line to the core. Resolves when the line no longer holds up the next one: after its replies,
   * except for a planner turn (an answer, /plan, /next…) typed at a prompt, which resolves at once so
   * `/status` and `/stop` are answered while the planner thinks.
   */
  submit(text: string): Promise<void>;
  /** Stops every planner turn this session started (Ctrl-C, the terminal went away). */
  interrupt(): number;
  /** Lines handed in and not yet answered (a planner turn, mostly). */
  pending(): number;
  /** Resolves when every line handed in has been answered. */
  drain(): Promise<void>;
}

/** How a {@link ConsoleSession} prints and paces its lines. */
export interface ConsoleSessionOptions {
  /** Styled for a colour terminal, plain words otherwise (the default). */
  look?: TerminalLook;
  /**
   * Every line waits until the one before it is answered, planner turns included: for piped input or a
   * script, which reads the replies in the order of its lines and whose next line may depend on the last
   * (an answer right after `/plan`). Off for a person at a prompt, who may ask `/status` or `/stop` while
   * the planner thinks. Such a session prints only the replies: no "… working" line (whose Ctrl-C hint
   * means nothing to a script) and no "(took N s)".
   */
  inOrder?: boolean;
}

/**
 * Creates a {@link ConsoleSession} for one user; the core treats the terminal's owner as an admin, and
 * every line is declared the server operator's (`HandleOptions.operator`).
 */
export function createConsoleSession(
  bot: Pick<AdapterBot, "handle" | "commandFor">,
  userName: string,
  print: Print,
  options: ConsoleSessionOptions = {},
): ConsoleSession {
  const look = options.look ?? "plain";
  const styles = stylesOf(look);
  const running = new Set<Promise<void>>();
  const turns = new Set<AbortController>();

  async function handle(text: string): Promise<void> {
    const incoming: Incoming = {
      adapter: CONSOLE_ADAPTER,
      channelId: CONSOLE_CHANNEL,
      userId: userName,
      userName,
      text,
    };
    const abort = new AbortController();
    turns.add(abort);
    let started = 0;
    let took: string | undefined;
    const signals = {
      abort: abort.signal,
      working(active: boolean) {
        // Piped, the replies are all a script reads: a working line with a key to press, and a time, are not.
        if (options.inOrder) return;
        if (active) {
          started = Date.now();
          print("… working (Ctrl-C stops the planner)");
        } else if (started) took = `(took ${((Date.now() - started) / 1000).toFixed(1)} s)`;
      },
    };
    try {
      // Whoever types here is on the server as the data folder's owner (planbot chat itself, or its 0600
      // socket): the operator, who gets the operator's advice and planbot's paths (docs/architecture.md).
      const handled = await bot.handle(incoming, { audience: "direct", operator: true, signals });
      // The answer and how long it took print as one block under the working line, so the prompt is not
      // redrawn between them.
      const replies = handled.kind === "ignored" ? [] : handled.replies.map((reply) => renderPlainText(reply, styles));
      const block = [...replies, ...(took ? [took] : [])];
      if (block.length) print(block.join("\n"));
    } finally {
      turns.delete(abort);
    }
  }

  return {
    submit(text) {
      const trimmed = text.trim();
      if (!trimmed) return Promise.resolve();
      // Bytes that are not UTF-8 arrive as U+FFFD: sent on, the planner or a slug would get garbled text.
      if (trimmed.includes("\uFFFD")) {
        print(NOT_UTF8);
        return Promise.resolve();
      }
      // A newcomer's way out of a shell; the chat's is a key, which no command list would tell them.
      if (QUIT_WORDS.test(trimmed) && !bot.commandFor(trimmed)) {
        print(HOW_TO_QUIT);
        return Promise.resolve();
      }
      const work = handle(trimmed).catch((error: unknown) => print(`planbot: ${(error as Error).message}`));
      running.add(work);
      void work.finally(() => running.delete(work));
      if (options.inOrder) return work;
      const command = bot.commandFor(trimmed);
      const mayTakeLong = command ? command.slow === true : !trimmed.startsWith("/");
      return mayTakeLong ? Promise.resolve() : work;
    },
    interrupt() {
      const count = turns.size;
      for (const turn of turns) turn.abort();
      return count;
    },
    pending() {
      return running.size;
    },
    async drain() {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
