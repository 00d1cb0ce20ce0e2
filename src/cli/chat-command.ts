import { userInfo } from "node:os";
import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { createConsoleAdapter } from "../adapters/console/console-adapter.ts";
import { createRuntime } from "../runtime/runtime.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/** `planbot chat`: the terminal adapter over the same handlers as every chat platform. */
export async function runChat(_argv: string[], config: Config, _io: CliIo): Promise<number> {
  // Logs go to a file-descriptor the user is not typing into only when asked; by default keep the terminal clean.
  const log = createLogger(process.env.LOG_LEVEL ? config.logLevel : "warn");
  const runtime = createRuntime(config, log);
  const adapter = createConsoleAdapter({ bot: runtime.bot, input: process.stdin, output: process.stdout, userName: safeUserName(), prompt: process.stdin.isTTY === true });
  runtime.outbound.register("console", adapter.outbound);
  await runtime.planning.recoverInterrupted();
  runtime.onStop(() => adapter.close());
  if (process.stdin.isTTY) process.stdout.write("planbot chat — /help lists the commands, Ctrl-D quits.\n");
  await adapter.run();
  await runtime.bot.drain();
  await runtime.stop();
  return EXIT.ok;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "you";
  }
}
