import { basename } from "node:path";
import { bold, code } from "../chat/reply.ts";
import { FIXABLE_FIELDS, type FixableField } from "../projects/error-fix.ts";
import type { OperatorProblem } from "../projects/operator-fix.ts";

/**
 * A chat's words for a problem only planbot's operator can fix on the server (`details.operator`, or a
 * stored run error's `error_operator`): the problem in one plain line, and what a chat member can do —
 * tell planbot's admin, or `/edit` a field that may be the cause. Shared by the bot's failure replies, the
 * `/status` card and the notices; the CLI, the logs and the terminal (the operator's own chat) keep the
 * operator's own message.
 */
export function operatorProblemLine(
  problem: OperatorProblem,
  slug: string | undefined,
  details: Record<string, unknown> = {},
): string {
  const workspace = slug ? `The workspace folder of ${bold(slug)}` : "A project's workspace folder";
  switch (problem) {
    case "data_unwritable":
      return `planbot could not save this: ${whyUnwritable(details.errno)}. Nothing was changed.`;
    case "data_unflushed":
      return "The change was saved, but planbot could not make sure it reached the server's disk.";
    case "store_unreadable": {
      const file = typeof details.path === "string" ? ` ${code(basename(details.path))}` : "";
      return `planbot cannot read its file${file}: it is damaged, and planbot will not overwrite it. Nothing was changed.`;
    }
    case "workspace_unusable":
      return `${workspace} on the server cannot be used.`;
    case "workspace_other_repo":
      return `${workspace} on the server holds a clone of another repository.`;
    case "server_setup":
      return `Ralph was not started: ${serverSetupProblem(details.check)}.`;
    case "queue_unreachable": {
      const consequence = typeof details.consequence === "string" ? details.consequence : "nothing was done";
      return `planbot's job queue is not reachable, so ${consequence}.`;
    }
    case "workspace_file": {
      const file = typeof details.path === "string" ? code(details.path) : "A file";
      const what = details.problem === "symlink" ? "a symbolic link" : "not a regular file";
      return `${file} in a project's workspace on the server is ${what}, and planbot will not use it.`;
    }
  }
}

/** What the member can do: set `fix` when a field may be the cause (`/edit`), else tell planbot's admin. */
export function operatorAdvice(slug: string | undefined, fix: FixableField | undefined): string {
  if (fix && slug)
    return `If the project's ${fix} is wrong, set it: ${code(`/edit ${slug} --${fix} ${FIXABLE_FIELDS[fix]}`)}. Otherwise tell planbot's admin: only they can move that folder away on the server.`;
  return "Please tell planbot's admin: it can only be fixed on the server planbot runs on.";
}

/** What is missing on the machine, by the preflight check that refused the run. */
export function serverSetupProblem(check: unknown): string {
  if (check === "jq") return "a tool it needs (jq) is not installed on the server";
  if (check === "root") return "planbot runs as root on the server, and the Claude CLI refuses to run Ralph as root";
  return "the server is not set up to run it";
}

/** Why a store could not be written, by the error's code: a full disk reads differently from a locked folder. */
function whyUnwritable(errno: unknown): string {
  if (errno === "ENOSPC" || errno === "EDQUOT") return "the server's disk is full";
  if (errno === "EACCES" || errno === "EPERM" || errno === "EROFS") return "it may not write its data folder";
  return "writing its data folder failed";
}
