import type { Config } from "../config.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/** `planbot execute` — not built yet. */
export async function runExecute(_argv: string[], _config: Config, io: CliIo): Promise<number> {
  io.err("planbot execute is not available yet");
  return EXIT.failure;
}
