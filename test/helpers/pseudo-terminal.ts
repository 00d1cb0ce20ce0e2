import { planbotBin } from "./planbot-child.ts";

/**
 * util-linux `script`'s arguments for running `bin/planbot <command>` on a pseudo-terminal, as a person runs
 * it: `execa("script", onPseudoTerminal("chat"), …)`. stdout and stderr share the screen.
 *
 * `script` starts the command through a shell, and `exec` makes planbot replace it. Without it, dash (the
 * shell `script` uses when SHELL is unset, as on CI) stays planbot's parent in the terminal's process group:
 * a Ctrl-C the terminal turns into SIGINT (once the line editor has let go of it) then kills that shell too,
 * and `script -e` reports the shell's 130 whatever planbot did.
 */
export function onPseudoTerminal(command: string): string[] {
  // The command line is fixed here; no input reaches the shell.
  return ["-qec", `exec '${planbotBin}' ${command}`, "/dev/null"];
}
