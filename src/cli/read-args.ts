import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/**
 * Reads a subcommand's arguments with node's `parseArgs`, answering the two cases every subcommand
 * answers the same way: `--help` prints the usage (exit 0), and a problem — an unknown option, a missing
 * value, a stray word where none is allowed — is printed with the usage (exit 2). Either way the exit
 * code comes back instead of the arguments, for the caller to return.
 */
export function readArgs<const T extends ParseArgsConfig>(
  config: T,
  usage: string,
  io: CliIo,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    io.err(`${(error as Error).message}\n${usage}`);
    return EXIT.usage;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    io.out(usage);
    return EXIT.ok;
  }
  return parsed;
}
