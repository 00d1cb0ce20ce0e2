import { PassThrough } from "node:stream";
import { type ConsoleAdapterDeps, createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";

/**
 * Types `lines` into a fresh terminal adapter over `bot`, as a user at the prompt would, and returns what
 * it printed once the input ended: the command layer seen from the chat side, without a real terminal.
 */
export async function typeInto(bot: ConsoleAdapterDeps["bot"], lines: string[], userName = "alice"): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => {
    printed += chunk;
  });
  const adapter = createConsoleAdapter({ bot, input, output, userName });
  const done = adapter.run();
  input.end(lines.map((line) => `${line}\n`).join(""));
  await done;
  return printed;
}
