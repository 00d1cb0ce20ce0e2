import { basename, isAbsolute } from "node:path";
import { operatorAdvice, operatorProblemLine, operatorRefusalWords } from "../../notify/operator-words.ts";
import { memberStepOf, stepRepoPath } from "../../projects/error-fix.ts";
import { type OperatorProblem, operatorProblemOf } from "../../projects/operator-fix.ts";
import type { Failure } from "../../projects/result.ts";
import { bold, code } from "../../chat/reply.ts";

/**
 * A failure as the dashboard answers it. The dashboard is not the server's operator (its token proves nothing
 * about the server's account; docs/architecture.md, "Who may do what, and who is spoken to"), so a failure only
 * the operator can fix (`details.operator`) is worded as a chat words it for its members
 * (src/notify/operator-words.ts): the problem in one plain line, the member's own part of the fix when it names
 * one, and "tell planbot's admin" for the rest — never the operator's message, with the server's paths and
 * settings, nor its `fix`, nor a server path in its data (an absolute `path` is named by its file name, `copy`
 * is dropped). The data stays (`operator`, `check`, `next`, `field`) for clients that tell the cases apart. The project list's stored problems get the same words in member-list.ts; the page words neither.
 * `slug` names the project when the failure's details do not.
 */
export function memberFailure(failure: Failure, slug?: string): Failure {
  const problem = operatorProblemOf(failure);
  if (!problem) return failure;
  const details = { ...failure.details };
  delete details.fix;
  // A file of planbot's data folder is named by its name alone (the API's `file`), and the copy a crashed
  // writer kept is the operator's to move back: the server's layout stays on the operator's surfaces.
  delete details.copy;
  if (typeof details.path === "string" && isAbsolute(details.path)) details.path = basename(details.path);
  const named = typeof details.slug === "string" ? details.slug : slug;
  return { ...failure, message: memberMessage(failure, problem, named), details };
}

/** The member's words for `failure`, an operator's `problem` of the project `slug`. */
function memberMessage(failure: Failure, problem: OperatorProblem, slug: string | undefined): string {
  const step = memberStepOf(failure);
  const details = failure.details ?? {};
  // A refused run reads as the refusal the project page and the /status card show once it is stored.
  if (details.reason === "preflight" && slug && typeof details.check === "string") {
    const path = typeof details.path === "string" ? details.path : undefined;
    const refusal = operatorRefusalWords({ check: details.check, path, repo_path: stepRepoPath(step) }, slug);
    if (refusal) return `Ralph was not started: ${refusal.problem}. ${refusal.advice}`;
  }
  const said = `${operatorProblemLine(problem, slug, details)} ${operatorAdvice(problem, slug, step)}`;
  // A failed planning start left the project pending: the page's Start planning (the chats' /plan) tries again.
  if (details.start_failed && slug)
    return `Could not start planning ${bold(slug)}: ${said} ${bold(slug)} is pending again; ${code(`/plan ${slug}`)} tries again.`;
  return said;
}
