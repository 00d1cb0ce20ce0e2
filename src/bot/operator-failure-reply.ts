import { code, errorReply, type Reply } from "../chat/reply.ts";
import { operatorAdvice, operatorProblemLine } from "../notify/operator-words.ts";
import { fixableField } from "../projects/error-fix.ts";
import type { OperatorProblem } from "../projects/operator-fix.ts";
import type { Failure } from "../projects/result.ts";
import { editFlag } from "./edit-flag.ts";

/** Who reads a reply: planbot's server operator (the terminal, `HandleOptions.operator`) or a chat member. */
export interface Reader {
  operator?: boolean | undefined;
}

/**
 * A chat's reply to a failure only planbot's operator can fix (`details.operator`). Its message was
 * written for the operator — "free some disk space", "move it away", "Check PLANBOT_WORKSPACE_DIR" — which
 * a Discord or Telegram member cannot do: for them the reply names the problem in one plain line and says
 * to tell planbot's admin. The operator, at the terminal, gets that message itself, paths and all: telling
 * them to tell the admin would send them to themselves. Both get what a chat can still do (`/status`,
 * `/edit` when a field may be the cause). The CLI and the logs keep the operator's message as it is.
 */
export function operatorFailureReply(failure: Failure, problem: OperatorProblem, reader: Reader = {}): Reply {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  const fix = fixableField(failure);
  const said = reader.operator
    ? `${failure.message}${fix && slug ? ` To set the ${fix} instead: ${code(`/edit ${slug} ${editFlag(fix)}`)}.` : ""}`
    : `${operatorProblemLine(problem, slug, failure.details)} ${operatorAdvice(slug, fix)}`;
  // A store that cannot be read cannot list its projects either: /status would only say the same.
  if (problem === "store_unreadable") return errorReply(said);
  const status = slug ? `/status ${slug}` : "/status";
  const statusButton = { label: "Status", command: status, style: "secondary" as const };
  return errorReply(`${said}${fix && slug ? "" : ` ${code(status)} shows where things stand.`}`, [statusButton]);
}
