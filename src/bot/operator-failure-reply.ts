import { basename } from "node:path";
import { bold, code, errorReply, type Reply } from "../chat/reply.ts";
import type { OperatorProblem } from "../projects/operator-fix.ts";
import type { Failure } from "../projects/result.ts";
import { editHintOf } from "./edit-flag.ts";

/** What a chat member can do about any of them: tell the one who can reach the server. */
const TELL_ADMIN = "Please tell planbot's admin: it can only be fixed on the server planbot runs on.";

/**
 * A chat's words for a failure only planbot's operator can fix (`details.operator`). Its message was
 * written for the operator — "free some disk space", "move it away", "Check PLANBOT_WORKSPACE_DIR" — which
 * a Discord or Telegram member cannot do: the chat names the problem in one plain line and says to tell
 * planbot's admin, and what the member can still do (`/status`, `/edit` when a field may be the cause).
 * The CLI and the logs keep the operator's message as it is.
 */
export function operatorFailureReply(failure: Failure, problem: OperatorProblem): Reply {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  const status = slug ? `/status ${slug}` : "/status";
  const statusButton = { label: "Status", command: status, style: "secondary" as const };
  const line = problemLine(problem, failure, slug);
  if (problem === "store_unreadable") return errorReply(`${line} ${TELL_ADMIN}`);
  if (failure.details?.next === "edit" && slug) {
    const { field, flag } = editHintOf(failure);
    return errorReply(
      `${line} If the project's ${field} is wrong, set it: ${code(`/edit ${slug} ${flag}`)}. Otherwise tell planbot's admin: only they can move that folder away on the server.`,
      [statusButton],
    );
  }
  return errorReply(`${line} ${TELL_ADMIN} ${code(status)} shows where things stand.`, [statusButton]);
}

/** The problem in one plain line, without the server's paths or the operator's remedies. */
function problemLine(problem: OperatorProblem, failure: Failure, slug: string | undefined): string {
  const workspace = slug ? `The workspace folder of ${bold(slug)}` : "A project's workspace folder";
  switch (problem) {
    case "data_unwritable":
      return `planbot could not save this: ${whyUnwritable(failure.details?.errno)}. Nothing was changed.`;
    case "data_unflushed":
      return "The change was saved, but planbot could not make sure it reached the server's disk.";
    case "store_unreadable": {
      const path = failure.details?.path;
      const file = typeof path === "string" ? ` ${code(basename(path))}` : "";
      return `planbot cannot read its file${file}: it is damaged, and planbot will not overwrite it. Nothing was changed.`;
    }
    case "workspace_unusable":
      return `${workspace} on the server cannot be used.`;
    case "workspace_other_repo":
      return `${workspace} on the server holds a clone of another repository.`;
    case "workspace_file": {
      const path = failure.details?.path;
      const file = typeof path === "string" ? code(path) : "A file";
      const what = failure.details?.problem === "symlink" ? "a symbolic link" : "not a regular file";
      return `${file} in a project's workspace on the server is ${what}, and planbot will not use it.`;
    }
  }
}

/** Why a store could not be written, by the error's code: a full disk reads differently from a locked folder. */
function whyUnwritable(errno: unknown): string {
  if (errno === "ENOSPC" || errno === "EDQUOT") return "the server's disk is full";
  if (errno === "EACCES" || errno === "EPERM" || errno === "EROFS") return "it may not write its data folder";
  return "writing its data folder failed";
}
