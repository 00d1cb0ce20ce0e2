import { fail, type Failure } from "../projects/result.ts";
import { usageLine, type CommandRegistry, type CommandSpec } from "./command-registry.ts";
import { tokenize } from "./tokenize.ts";
import { extraWordsHint, unknownCommandMessage } from "./command-hints.ts";

/** A command line read against the registry. */
export type ParseOutcome =
  | {
      kind: "command";
      command: CommandSpec;
      args: Record<string, string | undefined>;
      flags: Record<string, string | boolean | undefined>;
    }
  /** Not a command at all: plain chat. */
  | { kind: "not_command" }
  /** `/cmd@otherbot`: meant for another bot in the group. */
  | { kind: "other_bot" }
  | { kind: "error"; failure: Failure };

const HEAD = /^\/([A-Za-z0-9_-]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)/;

/** Whether a text is meant as a command (starts with `/name`). */
export function looksLikeCommand(text: string): boolean {
  return HEAD.test(text.trimStart());
}

/** The command name a line starts with (`/name` or `/name@bot`), lower-cased; undefined for plain text. */
export function commandNameOf(text: string): string | undefined {
  return HEAD.exec(text.trimStart())?.[1]?.toLowerCase();
}

/**
 * Reads `/name [args] [--flag value | --flag=value] [-- words]` against the registry. The last
 * argument of a free-text command takes every remaining word, so descriptions need no quotes; flags
 * may stand anywhere. Every problem is a `usage` failure naming it and showing the usage line.
 */
export function parseCommandLine(
  text: string,
  registry: CommandRegistry,
  options: { botUsername?: string | undefined } = {},
): ParseOutcome {
  const trimmed = text.trim();
  const head = HEAD.exec(trimmed);
  if (!head) return { kind: "not_command" };
  const [, name, mention] = head;
  if (mention && options.botUsername && mention.toLowerCase() !== options.botUsername.toLowerCase())
    return { kind: "other_bot" };
  const command = registry.find(name!);
  if (!command) {
    return {
      kind: "error",
      failure: fail("usage", unknownCommandMessage(name!, registry)),
    };
  }
  const problem = (message: string): ParseOutcome => ({
    kind: "error",
    failure: fail("usage", `${message}\nUsage: ${usageLine(command)}`, { details: { command: command.name } }),
  });

  const tokens = tokenize(trimmed.slice(head[0].length));
  if (!tokens.ok) return problem(`/${command.name}: ${tokens.message}.`);

  const read = readFlags(command, tokens.words);
  if (typeof read === "string") return problem(read);
  const args = bindArgs(command, read.positional);
  if (typeof args === "string") return problem(args);
  return { kind: "command", command, args, flags: read.flags };
}

/**
 * Splits the words after the name into positional words and the command's flags (`--flag value`,
 * `--flag=value`, a boolean `--flag`; `--` ends the flags). A problem comes back as its message.
 */
function readFlags(
  command: CommandSpec,
  words: readonly string[],
): { positional: string[]; flags: Record<string, string | boolean | undefined> } | string {
  const positional: string[] = [];
  const flags: Record<string, string | boolean | undefined> = {};
  let flagsEnded = false;
  for (let index = 0; index < words.length; index += 1) {
    const word = flagsEnded ? words[index]! : undoSmartDash(command, words[index]!);
    if (!flagsEnded && word === "--") {
      flagsEnded = true;
      continue;
    }
    if (flagsEnded || !word.startsWith("--") || word.length === 2) {
      positional.push(word);
      continue;
    }
    const equals = word.indexOf("=");
    const flagName = (equals === -1 ? word.slice(2) : word.slice(2, equals)).toLowerCase();
    const flag = command.flags.find((candidate) => candidate.name === flagName);
    if (!flag) {
      const known = command.flags.map((candidate) => `--${candidate.name}`).join(", ");
      return `/${command.name} has no option --${flagName}${known ? ` (it takes ${known})` : " (it takes no options)"}.`;
    }
    if (flags[flag.name] !== undefined) return `--${flag.name} is given twice.`;
    if (flag.type === "boolean") {
      if (equals === -1) flags[flag.name] = true;
      else {
        const value = word.slice(equals + 1).toLowerCase();
        if (!["true", "false", "yes", "no", "1", "0"].includes(value))
          return `--${flag.name} is a switch: write --${flag.name} or --${flag.name}=false.`;
        flags[flag.name] = ["true", "yes", "1"].includes(value);
      }
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = word.slice(equals + 1);
    else {
      const following = words[index + 1];
      if (following !== undefined && !(following.startsWith("--") && following.length > 2)) {
        value = following;
        index += 1;
      }
    }
    if (value === undefined || value === "")
      return `--${flag.name} needs a value, e.g. --${flag.name} ${flag.placeholder ?? "value"}.`;
    flags[flag.name] = value;
  }
  return { positional, flags };
}

/**
 * Phones type `--repo` as `—repo` (iOS and macOS turn two hyphens into an em dash, some keyboards into an
 * en dash). A word that is one of those dashes and then one of the command's own flag names is that flag;
 * any other dashed word stays text, so a description keeps its dashes.
 */
function undoSmartDash(command: CommandSpec, word: string): string {
  const match = /^[\u2013\u2014]([a-z]+)(=.*)?$/is.exec(word);
  if (!match || !command.flags.some((flag) => flag.name === match[1]!.toLowerCase())) return word;
  return `--${match[1]}${match[2] ?? ""}`;
}

/** Binds positional words to the command's arguments (the last free-text one takes the rest); a problem comes back as its message. */
function bindArgs(command: CommandSpec, positional: readonly string[]): Record<string, string | undefined> | string {
  const args: Record<string, string | undefined> = {};
  for (const [index, arg] of command.args.entries()) {
    const value = arg.rest ? positional.slice(index).join(" ") : positional[index];
    if (value === undefined || value === "") {
      if (arg.required) return `/${command.name} needs ${article(arg.name)} ${arg.name}.`;
      continue;
    }
    args[arg.name] = value;
  }
  const lastTakesRest = command.args.at(-1)?.rest ?? false;
  if (!lastTakesRest && positional.length > command.args.length) {
    const extra = Array.from(positional.slice(command.args.length).join(" ")).slice(0, 60).join("");
    const hint = extraWordsHint(command.name);
    return `/${command.name} does not take "${extra}".${hint ? ` ${hint}` : ""}`;
  }
  return args;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}
