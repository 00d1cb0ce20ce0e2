import { closestWord } from "../chat/did-you-mean.ts";
import type { CommandRegistry } from "./command-registry.ts";

/**
 * Words newcomers type for what planbot calls something else, with the command that does it. The buttons
 * say "Retry" and the README says "re-run", so `/retry` is the first thing people try after a failed run.
 */
const MEANT: Readonly<Record<string, string>> = {
  retry: "/run <slug> retries a failed or blocked project",
  rerun: "/run <slug> retries a failed or blocked project",
  list: "/status lists the projects",
  projects: "/status lists the projects",
  new: "/p <slug> <description…> proposes a project",
  create: "/p <slug> <description…> proposes a project",
  join: "/continue <slug> joins a project's planning session",
  finish: "/done writes the plan and approves the project",
  skip: "/next moves planning to the next phase",
  commands: "/help lists the commands",
};

/**
 * The answer to an unknown `/name`: what planbot calls that (a synonym) or the command it was probably
 * meant to be (a typo), and always where to see the rest.
 */
export function unknownCommandMessage(name: string, registry: CommandRegistry): string {
  const lower = name.toLowerCase();
  const meant = MEANT[lower];
  // One- and two-letter names are too short to guess from: `/x` is not a typo of `/p`.
  const names = registry.commands.flatMap((command) => [command.name, ...(command.aliases ?? [])]);
  const typo = meant || lower.length < 3 ? undefined : closestWord(lower, names);
  const guess = meant ? ` ${meant}.` : typo ? ` Did you mean /${typo}?` : "";
  return `Unknown command /${name}.${guess} Send /help to see what planbot understands.`;
}

/**
 * What a command that acts on this chat's planning session does instead of the words it was given: people
 * write `/stop my-app` to stop Ralph's run, and `/next my-app` from a chat that is not planning it.
 */
const SESSION_ONLY: Readonly<Record<string, string>> = {
  stop: "/stop ends this chat's planning session and takes no slug. To stop Ralph's run of a project, send /cancel <slug>.",
  next: "/next moves this chat's planning session on and takes no slug; in another chat, /continue <slug> joins it first.",
  done: "/done finishes this chat's planning session and takes no slug; in another chat, /continue <slug> joins it first.",
};

/** The hint after "does not take …" for a command that names no project, if there is one. */
export function extraWordsHint(commandName: string): string | undefined {
  return SESSION_ONLY[commandName];
}
