import type { Config } from "../config.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/** `planbot chat` — not built yet. */
export async function runChat(_argv: string[], _config: Config, io: CliIo): Promise<number> {
  io.err("planbot chat is not available yet");
  return EXIT.failure;
}
