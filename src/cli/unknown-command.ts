import { closestWord } from "../chat/did-you-mean.ts";

/** The top-level commands of `planbot` (src/main.ts dispatches them). */
export const COMMANDS = ["start", "chat", "projects", "execute", "doctor", "worker", "help"] as const;

/**
 * Words a newcomer types at the top level that are chat commands or `planbot projects` actions: each is
 * answered with the command line that does it.
 */
const MEANT: Record<string, string> = {
  list: "planbot projects list",
  status: "planbot projects list, or planbot projects show <slug>",
  show: "planbot projects show <slug>",
  propose: "planbot projects propose <slug> <description…>",
  p: "planbot projects propose <slug> <description…>",
  approve: "planbot projects approve <slug>",
  unapprove: "planbot projects unapprove <slug>",
  cancel: "planbot projects cancel <slug>",
  run: "planbot execute <slug>",
  plan: "planbot chat, then /plan <slug> (planning is a conversation)",
  replan: "planbot chat, then /replan <slug>",
  stop: "planbot chat, then /stop to stop planning; planbot projects cancel <slug> stops a running Ralph",
};

/** The first line of the answer to an unknown top-level command: what was typed and what to type instead. */
export function unknownCommandMessage(typed: string): string {
  const meant = MEANT[typed.toLowerCase()];
  if (meant) return `"${typed}" is not a planbot command; use: ${meant}`;
  const guess = closestWord(typed, COMMANDS);
  return `unknown command "${typed}"${guess ? `; did you mean planbot ${guess}?` : ""}`;
}
