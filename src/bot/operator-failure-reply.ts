import { bold, code, errorReply, type Reply } from "../chat/reply.ts";
import { operatorAdvice, operatorProblemLine } from "../notify/operator-words.ts";
import { type MemberStep, memberStepOf } from "../projects/error-fix.ts";
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
 * to tell planbot's admin, and what the member can still do: their own part of the fix when the failure
 * names one (`/edit` when a field may be the cause, a file to commit as executable), else `/status`. The
 * operator, at the terminal, gets that message itself, paths and all: telling them to tell the admin would
 * send them to themselves. The CLI and the logs keep the operator's message as it is.
 */
export function operatorFailureReply(failure: Failure, problem: OperatorProblem, reader: Reader = {}): Reply {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  const step = memberStepOf(failure);
  const said = reader.operator
    ? `${failure.message}${operatorEditText(slug, step)}`
    : `${operatorProblemLine(problem, slug, failure.details)} ${operatorAdvice(problem, slug, step)}`;
  // A store that cannot be read cannot list its projects either: /status would only say the same.
  if (problem === "store_unreadable") return errorReply(said);
  const status = slug ? `/status ${slug}` : "/status";
  const statusButton = { label: "Status", command: status, style: "secondary" as const };
  // With a part of their own the member has something to do, and then the step that failed to take again
  // (the operator's message of a failed planning start already says how).
  const again = reader.operator && failure.details?.start_failed ? "" : undefined;
  const after = step && slug ? (again ?? againText(failure, slug, step)) : ` ${code(status)} shows where things stand.`;
  return errorReply(`${said}${after}`, [statusButton]);
}

/** For the operator, whose message names the server's fix: the chat's own way out when a field may be the cause. */
function operatorEditText(slug: string | undefined, step: MemberStep | undefined): string {
  if (!slug || step?.kind !== "edit") return "";
  return ` To set the ${step.field} instead: ${code(`/edit ${slug} ${editFlag(step.field)}`)}.`;
}

/** After the member's part of a split fix: how to try again (a failed planning start left the project pending). */
function againText(failure: Failure, slug: string, step: MemberStep): string {
  if (failure.details?.start_failed) return ` ${bold(slug)} is pending again; ${code(`/plan ${slug}`)} tries again.`;
  // A refused run left the project approved: it runs once both parts are done.
  if (step.kind !== "edit") return ` Once it is fixed, run it again with ${code(`/run ${slug}`)}.`;
  return "";
}
