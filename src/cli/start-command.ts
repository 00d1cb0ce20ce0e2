import type { Config } from "../config.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/** `planbot start` — not built yet. */
export async function runStart(_argv: string[], _config: Config, io: CliIo): Promise<number> {
  io.err("planbot start is not available yet");
  return EXIT.failure;
}
