import type { CliIo } from "./io.ts";
import { readArgs } from "./read-args.ts";

/**
 * The arguments of a command that takes none (`planbot start`, `planbot chat`): `--help` prints `usage`
 * (exit 0), anything else is refused with it (exit 2). Returns that exit code for the caller to return,
 * or undefined when the command line was empty and the command should run.
 */
export function readNoArguments(argv: string[], usage: string, io: CliIo): number | undefined {
  const parsed = readArgs(
    { args: argv, strict: true, allowPositionals: false, options: { help: { type: "boolean", short: "h" } } },
    usage,
    io,
  );
  return typeof parsed === "number" ? parsed : undefined;
}
