import { parseArgs, type ParseArgsConfig } from "node:util";
import { closestWord } from "../chat/did-you-mean.ts";
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
    io.err(`${argsProblem(error as NodeJS.ErrnoException, config)}\n${usage}`);
    return EXIT.usage;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    io.out(usage);
    return EXIT.ok;
  }
  return parsed;
}

/**
 * The problem in the user's words. Node's own text for an unknown option talks about positional arguments
 * and `--` (and has an unbalanced quote), which sends someone who mistyped `--dry-run` the wrong way; this
 * names the option, the closest known one and every option the command takes. Its other texts
 * ("Option '--base <value>' argument missing", "Unexpected argument 'x'. This command does not take
 * positional arguments", an option followed by a word that starts with a dash) are said plainly too; one node does not know is passed on as it is.
 */
function argsProblem(error: NodeJS.ErrnoException, config: ParseArgsConfig): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? "";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return unknownOption(quoted, config);
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return `unexpected "${quoted}": this command takes no words, only the options below.`;
  const option = /--[\w-]+/.exec(quoted)?.[0];
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    if (error.message.includes("argument missing")) return `${option} needs a value after it, as in ${option} VALUE.`;
    if (error.message.includes("does not take an argument")) return `${option} takes no value: write just ${option}.`;
    // `--branch -x`: node reads the dash word as another option and asks for `--branch=-XYZ`.
    if (error.message.includes("argument is ambiguous"))
      return `${option} needs a value after it, and the next word starts with a dash. A value that starts with one is written ${option}=-VALUE.`;
  }
  return error.message;
}

/** An unknown option: the closest known one, and every option the command takes. */
function unknownOption(typed: string, config: ParseArgsConfig): string {
  const known = Object.keys(config.options ?? {}).map((name) => `--${name}`);
  const guess = closestWord(typed.split("=")[0]!, known);
  const options = known.length > 0 ? ` This command takes ${known.join(", ")}.` : "";
  return `unknown option "${typed}".${guess ? ` Did you mean ${guess}?` : ""}${options}`;
}

/** What {@link readSwitchArguments} read: whether the switch was given, and the words after the command. */
export interface SwitchArguments {
  on: boolean;
  positionals: string[];
}

/**
 * The arguments of a command that takes one on/off option, `--<name>` (`planbot doctor --json`,
 * `planbot execute --dry-run`), and words only where `positionals` allows them; `--help` and problems
 * are answered as {@link readArgs} answers them, with the exit code coming back instead.
 */
export function readSwitchArguments(
  argv: string[],
  option: { name: string; positionals: boolean },
  usage: string,
  io: CliIo,
): SwitchArguments | number {
  const parsed = readArgs(
    {
      args: argv,
      allowPositionals: option.positionals,
      strict: true,
      options: { [option.name]: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    },
    usage,
    io,
  );
  if (typeof parsed === "number") return parsed;
  return { on: parsed.values[option.name] === true, positionals: parsed.positionals };
}
