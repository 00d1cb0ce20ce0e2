import { basename } from "node:path";
import { split } from "shlex";

/**
 * Tells from a process's command line whether it is the Ralph that RALPH_COMMAND runs. Statuses
 * (running-ralph or running-manual), progress sampling and stopping a run an earlier planbot started all
 * ask it about a recorded PID: the PID may have been reused by an unrelated process since, and only a
 * process that runs the configured script may be sampled as Ralph or have its process group killed.
 */
export type RalphSignature = (commandLine: string) => boolean;

/** What planbot runs when RALPH_COMMAND is not set (src/config.ts). */
const DEFAULT_RALPH_COMMAND = "scripts/ralph/ralph.sh";
const DEFAULT_NAMES = ["ralph.sh"];

/**
 * The signature of the Ralph `command` (RALPH_COMMAND) starts: every file it names must appear in the
 * command line by its file name, as a whole word or the end of a path — the first word (the script, or
 * a program from PATH such as `bash`) and each later word with a slash (`bash tools/loop/agent.sh` needs
 * both `bash` and `agent.sh`). File names, not paths: the executor runs the script by its absolute path
 * in the workspace, a template is copied into `scripts/ralph/`, a program from PATH shows as whatever
 * path the shell found, and a shebang adds its interpreter in front (docs/architecture.md, "Recognising
 * a running Ralph"). A command that cannot be split is recognised by its first whitespace-separated word.
 * snarktank's `ralph.sh` is Ralph whatever the setting, for the wrappers that exec into it.
 */
export function ralphSignature(command: string = DEFAULT_RALPH_COMMAND): RalphSignature {
  const names = fileNames(command);
  if (names.length === 0 || command === DEFAULT_RALPH_COMMAND) return defaultRalphSignature;
  // A wrapper of the operator's own often ends in `exec scripts/ralph/ralph.sh "$@"`: from then on the
  // PID planbot recorded runs ralph.sh, and the wrapper's name is gone from its command line.
  return (commandLine) => names.every((name) => namesFile(commandLine, name)) || defaultRalphSignature(commandLine);
}

/** Recognises snarktank/ralph's `ralph.sh`, the default RALPH_COMMAND's script. */
export const defaultRalphSignature: RalphSignature = (commandLine) =>
  DEFAULT_NAMES.every((name) => namesFile(commandLine, name));

function fileNames(command: string): string[] {
  let words: string[];
  try {
    words = split(command);
  } catch {
    words = command.trim().split(/\s+/).slice(0, 1);
  }
  const [first, ...rest] = words.filter((word) => word !== "");
  if (!first) return [];
  return [first, ...rest.filter((word) => word.includes("/"))]
    .map((word) => basename(word))
    .filter((name) => name !== "" && name !== "." && name !== "..");
}

/** `name` as a whole word of `commandLine` or as the last part of a path there (after a `/`). */
function namesFile(commandLine: string, name: string): boolean {
  for (let at = commandLine.indexOf(name); at >= 0; at = commandLine.indexOf(name, at + 1)) {
    const before = at === 0 ? " " : commandLine.charAt(at - 1);
    const after = commandLine.charAt(at + name.length) || " ";
    if ((before === "/" || /\s/.test(before)) && /\s/.test(after)) return true;
  }
  return false;
}
