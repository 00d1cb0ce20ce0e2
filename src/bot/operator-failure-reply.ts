import { code, errorReply, type Reply } from "../chat/reply.ts";
import { operatorAdvice, operatorProblemLine } from "../notify/operator-words.ts";
import { fixableField } from "../projects/error-fix.ts";
import type { OperatorProblem } from "../projects/operator-fix.ts";
import type { Failure } from "../projects/result.ts";

/**
 * A chat's reply to a failure only planbot's operator can fix (`details.operator`). Its message was
 * written for the operator — "free some disk space", "move it away", "Check PLANBOT_WORKSPACE_DIR" — which
 * a Discord or Telegram member cannot do: the reply names the problem in one plain line and says to tell
 * planbot's admin, and what the member can still do (`/status`, `/edit` when a field may be the cause).
 * The CLI and the logs keep the operator's message as it is.
 */
export function operatorFailureReply(failure: Failure, problem: OperatorProblem): Reply {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  const line = operatorProblemLine(problem, slug, failure.details);
  const fix = fixableField(failure);
  const advice = operatorAdvice(slug, fix);
  // A store that cannot be read cannot list its projects either: /status would only say the same.
  if (problem === "store_unreadable") return errorReply(`${line} ${advice}`);
  const status = slug ? `/status ${slug}` : "/status";
  const statusButton = { label: "Status", command: status, style: "secondary" as const };
  return errorReply(`${line} ${advice}${fix && slug ? "" : ` ${code(status)} shows where things stand.`}`, [
    statusButton,
  ]);
}
