import type { Config } from "../config.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/** `planbot doctor` — not built yet. */
export async function runDoctor(_argv: string[], _config: Config, io: CliIo): Promise<number> {
  io.err("planbot doctor is not available yet");
  return EXIT.failure;
}
