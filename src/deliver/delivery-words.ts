import { code } from "../chat/reply.ts";
import { FIXABLE_FIELDS } from "../projects/error-fix.ts";
import type { DeliveryAdminPart, DeliveryProblem, DeliverySplit, DeliveryStep } from "./delivery-split.ts";

/** What a chat's words for a split delivery failure need to know of the project. */
export interface SplitReader {
  slug: string;
  /** The project's status now: a complete project runs again only once it is planned again. */
  status: string;
  branch: string;
  /**
   * The run's commits stay with the queue's worker that could not push them (`delivery.worker`): `/deliver`
   * cannot deliver them from planbot's copy, so the member's way on is a new run.
   */
  unpushedOnWorker?: boolean;
}

/**
 * A chat's words for a delivery failure split between the member and planbot's operator: what went wrong
 * without git's output (it names the server's remote and paths), and what to do — the member's step with
 * its command, then "tell planbot's admin" for the operator's part. The terminal and the CLI show the
 * delivery's summary and hint instead.
 */
export function splitDeliveryWords(split: DeliverySplit, reader: SplitReader): { problem: string; advice: string } {
  const problem = problemLine(split.problem, code(reader.branch));
  if (!split.next)
    return {
      problem,
      advice: `Please tell planbot's admin: only they can ${adminPart(split.operator)}. Once they have, ${reader.unpushedOnWorker ? retryText(reader) : deliverText(reader)}.`,
    };
  const admin = split.operator
    ? ` For the rest, tell planbot's admin: only they can ${adminPart(split.operator)}.`
    : "";
  return { problem, advice: `${stepText(split.next, reader)}${admin}` };
}

function problemLine(problem: DeliveryProblem, branch: string): string {
  switch (problem) {
    case "branch_protected":
      return `the remote protects branch ${branch}, so planbot could not push the work there`;
    case "branch_moved":
      return `branch ${branch} on the remote has commits someone else pushed, and planbot never overwrites them, so the work was not pushed`;
    case "pr_forbidden":
      return `branch ${branch} is pushed, but GitHub did not let planbot open its pull request`;
    case "pr_repo_not_found":
      return `branch ${branch} is pushed, but GitHub did not show planbot the repository to open its pull request in`;
    case "pr_no_commits":
      return `branch ${branch} is pushed, but it has no commits its base lacks, so GitHub has nothing for a pull request`;
    case "pr_base_missing":
      return `branch ${branch} is pushed, but its base branch is not on GitHub, so there is no pull request`;
    case "pr_already_open":
      return `branch ${branch} is pushed, and GitHub says a pull request of it is already open`;
    case "pr_refused":
      return `branch ${branch} is pushed, but GitHub refused its pull request`;
    case "pr_branch_missing":
      return `branch ${branch} was pushed, but GitHub does not have it in the repository planbot opens the pull request in, so there is no pull request`;
    case "push_auth":
      return `the remote did not accept planbot's access, so branch ${branch} was not pushed`;
    case "push_unreachable":
      return `planbot could not reach the remote repository, so branch ${branch} was not pushed`;
    case "push_no_remote":
      return `planbot has no remote repository to push branch ${branch} to, so the work stays on planbot's server`;
    case "push_refused":
      return `a rule on the remote's server refused the push, so branch ${branch} was not pushed`;
    case "pr_auth":
      return `branch ${branch} is pushed, but GitHub did not accept planbot's access, so there is no pull request`;
    case "pr_unavailable":
      return `branch ${branch} is pushed, but GitHub could not be reached, so there is no pull request yet`;
    case "push_failed":
      return `the remote did not take the push, so branch ${branch} was not pushed`;
    case "delivery_failed":
      return `something went wrong while planbot delivered branch ${branch}`;
  }
}

function stepText(step: DeliveryStep, reader: SplitReader): string {
  switch (step.kind) {
    case "edit": {
      const edit = code(`/edit ${reader.slug} --${step.field} ${FIXABLE_FIELDS[step.field]}`);
      const why = step.field === "branch" ? "To deliver to another branch, set it" : "If its base is wrong, set it";
      return `${why}: ${edit}, then ${retryText(reader)}.`;
    }
    case "open_pull_request":
      return `The work is on the remote: open its pull request from ${code(reader.branch)} by hand on GitHub.`;
    case "review_pull_request":
      return `Review the pull request of ${code(reader.branch)} that is open on GitHub.`;
    case "deliver_later":
      return `The work is on the remote: ${deliverText(reader)} once GitHub is back, or open its pull request from ${code(reader.branch)} by hand on GitHub.`;
  }
}

/**
 * How the member tries again: a complete project's work is delivered again as it is (`/deliver`, which pushes
 * the run's commits under the branch set since); a failed or blocked one runs again. A queued run's commits the
 * worker did not push are not here to deliver: a complete project is planned again and run.
 */
function retryText(reader: SplitReader): string {
  if (reader.status !== "complete") return `run it again: ${code(`/run ${reader.slug}`)}`;
  return reader.unpushedOnWorker ? `plan it again and run it: ${code(`/replan ${reader.slug}`)}` : deliverText(reader);
}

function deliverText(reader: SplitReader): string {
  return `deliver it again: ${code(`/deliver ${reader.slug}`)}`;
}

/** The operator's part, in a chat's words: no settings, no paths. */
function adminPart(part: DeliveryAdminPart): string {
  switch (part) {
    case "push_permission":
      return "let planbot push to that branch";
    case "workspace_merge":
      return "merge those commits into planbot's copy of the branch on the server";
    case "token_access":
      return "give planbot's GitHub access the right to open pull requests there";
    case "github_repo":
      return "point planbot at the GitHub repository the branch went to, or give it access there";
    case "git_access":
      return "fix planbot's access to the remote repository";
    case "remote_reach":
      return "make the remote repository reachable from planbot's server";
    case "push_rule":
      return "change the rule on the remote's server that refused the push";
    case "github_token":
      return "fix planbot's access to GitHub";
    case "remote_setup":
      return "give planbot the remote repository it pushes to";
    case "log_check":
      return "see in planbot's log what went wrong and fix it";
  }
}
