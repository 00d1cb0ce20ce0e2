import { PassThrough } from "node:stream";
import { type ConsoleAdapterDeps, createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";

/**
 * Types `lines` into a fresh terminal adapter over `bot`, as a user at the prompt would, and returns what
 * it printed once the input ended: the command layer seen from the chat side, without a real terminal.
 */
export async function typeInto(bot: ConsoleAdapterDeps["bot"], lines: string[], userName = "alice"): Promise<string> {
  const terminal = startTerminal(bot, userName);
  terminal.input.end(lines.map((line) => `${line}\n`).join(""));
  await terminal.done;
  return terminal.printed();
}

/** The real terminal adapter over `bot` on in-memory streams, reading from `input` until it ends. */
function startTerminal(bot: ConsoleAdapterDeps["bot"], userName: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => {
    printed += chunk;
  });
  const adapter = createConsoleAdapter({ bot, input, output, userName });
  return { adapter, input, done: adapter.run(), printed: () => printed };
}

/** A terminal that stays open, as `planbot chat` does: lines typed one by one, everything it printed kept. */
export interface OpenTerminal {
  /** Its Outbound, for the runtime's router: notices and mirrored replies print here, as in `planbot chat`. */
  outbound: ReturnType<typeof createConsoleAdapter>["outbound"];
  /** Types `line` and waits until what it printed since matches `until`; returns that output. */
  type(line: string, until: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Waits until the output since `from` (a length of {@link OpenTerminal.printed}) matches `until`. */
  waitFor(from: number, until: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Everything printed so far. */
  printed(): string;
  /** Ends the input and waits for every answer. */
  close(): Promise<void>;
}

/** Opens the real terminal adapter over `bot` on in-memory streams; it reads until {@link OpenTerminal.close}. */
export function openTerminal(bot: ConsoleAdapterDeps["bot"], userName = "alice"): OpenTerminal {
  const { adapter, input, done, printed } = startTerminal(bot, userName);
  const waitFor = async (from: number, until: RegExp | string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const since = printed().slice(from);
      if (typeof until === "string" ? since.includes(until) : until.test(since)) return since;
      if (Date.now() > deadline) throw new Error(`the terminal printed no ${String(until)}; it printed: ${since}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    outbound: adapter.outbound,
    type(line, until, timeoutMs) {
      const from = printed().length;
      input.write(`${line}\n`);
      return waitFor(from, until, timeoutMs);
    },
    waitFor,
    printed,
    async close() {
      input.end();
      await done;
    },
  };
}
