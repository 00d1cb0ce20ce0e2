import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { AdapterBot } from "../contract.ts";
import type { Incoming } from "../../chat/incoming.ts";
import type { Outbound } from "../../chat/outbound.ts";
import { renderPlainText } from "../../chat/plain-text.ts";
import type { Reply } from "../../chat/reply.ts";

/** The terminal is one chat: adapter `console`, channel `terminal`. */
export const CONSOLE_CHANNEL = "terminal";

/** Dependencies of {@link createConsoleAdapter}. */
export interface ConsoleAdapterDeps {
  bot: Pick<AdapterBot, "handle">;
  input: Readable;
  output: Writable;
  userName: string;
  /** Show a prompt (off when stdin is not a terminal, e.g. piped input). */
  prompt?: boolean;
}

/** A running terminal chat. */
export interface ConsoleAdapter {
  /** Reads lines until the input ends or {@link ConsoleAdapter.close} is called; one line is handled at a time. */
  run(): Promise<void>;
  /** Prints replies that other chats' activity sends here (mirrored planner replies, notifications). */
  outbound: Outbound;
  close(): void;
}

/**
 * The terminal chat (`planbot chat`): the first proof that the core needs no platform. The user is the
 * machine's owner, so the core treats them as an admin. Lines starting with `/` are commands; other
 * lines are planner answers when a planning session runs in the terminal.
 */
export function createConsoleAdapter(deps: ConsoleAdapterDeps): ConsoleAdapter {
  const { bot, output } = deps;
  const lines = createInterface({ input: deps.input, terminal: false, crlfDelay: Infinity });
  // Subscribe now: readline emits lines as soon as input arrives, and lines emitted before run() starts
  // iterating (while the caller awaits something, e.g. recoverInterrupted) would otherwise be dropped.
  const queuedLines = lines[Symbol.asyncIterator]();
  const showPrompt = deps.prompt ?? false;
  const print = (text: string) => output.write(text.endsWith("\n") ? text : `${text}\n`);
  const printReplies = (replies: Reply[]) => {
    for (const reply of replies) print(renderPlainText(reply));
  };
  const prompt = () => {
    if (showPrompt) output.write("planbot> ");
  };

  async function handle(text: string): Promise<void> {
    const incoming: Incoming = { adapter: "console", channelId: CONSOLE_CHANNEL, userId: deps.userName, userName: deps.userName, text };
    let started = 0;
    const signals = {
      working(active: boolean) {
        if (active) {
          started = Date.now();
          print("… working");
        } else if (started) print(`(took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      },
    };
    const handled = await bot.handle(incoming, { audience: "direct", signals });
    if (handled.kind !== "ignored") printReplies(handled.replies);
  }

  return {
    async run() {
      prompt();
      for await (const line of { [Symbol.asyncIterator]: () => queuedLines }) {
        const text = line.trim();
        if (text) await handle(text);
        prompt();
      }
    },
    outbound: {
      async send(_target, reply) {
        print(renderPlainText(reply));
        return { ok: true, messageIds: [] };
      },
    },
    close: () => lines.close(),
  };
}
