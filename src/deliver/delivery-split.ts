import type { FixableField } from "../projects/error-fix.ts";

/**
 * A delivery failure that is partly a chat member's to fix and partly planbot's operator's, as data: what
 * went wrong in the member's terms (`problem`), the member's step (`next`) and, when there is one, the
 * operator's part (`operator`). A failure only the operator can fix has no `next`: the member reads what
 * failed and whom to tell, never git's output (it names the server's remote and paths). Stored flat on the project's `delivery` next to the operator's whole `hint`,
 * so chats word the member's step with its command and "tell planbot's admin" for the rest, while the
 * terminal, the CLI and the logs keep the hint (docs/architecture.md, "Editing a project").
 */
export type DeliverySplit =
  | { problem: DeliveryProblem; next: DeliveryStep; operator?: DeliveryAdminPart }
  | { problem: DeliveryProblem; next?: undefined; operator: DeliveryAdminPart };

/** What went wrong, in a chat member's terms: no remote URLs, paths or settings. */
export type DeliveryProblem =
  /** The remote protects the branch: the push was refused. */
  | "branch_protected"
  /** Someone else pushed commits to the branch on the remote; planbot never force-pushes. */
  | "branch_moved"
  /** GitHub answered 403 to the pull request: the token may not open one (or a rate limit holds). */
  | "pr_forbidden"
  /** GitHub answered 404: the repository planbot opens the pull request in is not there for its token. */
  | "pr_repo_not_found"
  /** GitHub answered 422: the branch has no commits its base lacks. */
  | "pr_no_commits"
  /** GitHub answered 422: the base branch is not in the repository on GitHub. */
  | "pr_base_missing"
  /** GitHub answered 422: a pull request of the branch is open, and planbot could not find it to update. */
  | "pr_already_open"
  /** GitHub answered 422 for another reason (its words are in the summary). */
  | "pr_refused"
  /** GitHub answered 422 on the head: the branch is not in the repository planbot opens the pull request in. */
  | "pr_branch_missing"
  /** The remote refused planbot's credentials for the push (the operator's). */
  | "push_auth"
  /** The remote could not be reached from planbot's server (the operator's). */
  | "push_unreachable"
  /** planbot has no remote to push to: no GIT_REMOTE_BASE, or a workspace whose origin is another (the operator's). */
  | "push_no_remote"
  /** A rule on the remote's server (a hook) refused the push (the operator's). */
  | "push_refused"
  /** GitHub refused planbot's token for the pull request (the operator's). */
  | "pr_auth"
  /** GitHub could not be reached or answered 5xx: the branch is pushed, the pull request waits. */
  | "pr_unavailable"
  /** git refused the push for a reason planbot does not recognise (its words are in the operator's log). */
  | "push_failed"
  /** The delivery step itself failed unexpectedly (the operator's log says why). */
  | "delivery_failed";

/**
 * The member's step: set the project's branch or base (`/edit`, the same step as a run failure's,
 * src/projects/error-fix.ts; a pushed branch can no longer move, its base can), open the pull request by
 * hand on GitHub from the pushed branch, or review the one already open there.
 */
export type DeliveryStep =
  | { kind: "edit"; field: Extract<FixableField, "branch" | "base"> }
  | { kind: "open_pull_request" }
  | { kind: "review_pull_request" }
  /** GitHub was unavailable: deliver it again later (the branch is pushed), or open the pull request by hand. */
  | { kind: "deliver_later" };

/** The operator's part of the fix, on the remote or the server, in words a chat can pass on. */
export type DeliveryAdminPart =
  /** Let planbot's account push to the protected branch. */
  | "push_permission"
  /** Merge the remote branch's new commits into the workspace's branch on the server. */
  | "workspace_merge"
  /** Give planbot's GitHub token the right to open pull requests in the repository. */
  | "token_access"
  /** Point planbot at the GitHub repository the branch went to (GITHUB_OWNER, GIT_REMOTE_BASE) or give its token access. */
  | "github_repo"
  /** Fix planbot's credentials for the remote (GITHUB_TOKEN's scope, the machine's git credentials). */
  | "git_access"
  /** Make the remote reachable from planbot's server (GIT_REMOTE_BASE, the network). */
  | "remote_reach"
  /** Change or satisfy the rule on the remote's server that refused the push. */
  | "push_rule"
  /** Set a GITHUB_TOKEN GitHub accepts. */
  | "github_token"
  /** Give planbot the remote it pushes to (GIT_REMOTE_BASE, the workspace's origin). */
  | "remote_setup"
  /** Find out from planbot's log what went wrong (git's or the step's own words) and fix it. */
  | "log_check";

const PROBLEMS: ReadonlySet<string> = new Set<DeliveryProblem>([
  "branch_protected",
  "branch_moved",
  "pr_forbidden",
  "pr_repo_not_found",
  "pr_no_commits",
  "pr_base_missing",
  "pr_already_open",
  "pr_refused",
  "pr_branch_missing",
  "push_auth",
  "push_unreachable",
  "push_no_remote",
  "push_refused",
  "pr_auth",
  "pr_unavailable",
  "push_failed",
  "delivery_failed",
]);
const ADMIN_PARTS: ReadonlySet<string> = new Set<DeliveryAdminPart>([
  "push_permission",
  "workspace_merge",
  "token_access",
  "github_repo",
  "git_access",
  "remote_reach",
  "push_rule",
  "github_token",
  "remote_setup",
  "log_check",
]);

/**
 * The split a stored delivery carries, or undefined: the store may hold a delivery from another planbot
 * version, and a split this one cannot word is left to the delivery's own hint.
 */
export function readDeliverySplit(
  delivery: { problem?: unknown; next?: unknown; operator?: unknown } | null | undefined,
): DeliverySplit | undefined {
  const problem = delivery?.problem;
  if (typeof problem !== "string" || !PROBLEMS.has(problem)) return undefined;
  const next = asStep(delivery?.next);
  const operator =
    typeof delivery?.operator === "string" && ADMIN_PARTS.has(delivery.operator)
      ? (delivery.operator as DeliveryAdminPart)
      : undefined;
  if (next) return { problem: problem as DeliveryProblem, next, ...(operator ? { operator } : {}) };
  // Without a member's step, only a known operator's part says what to tell the admin.
  return operator ? { problem: problem as DeliveryProblem, operator } : undefined;
}

function asStep(value: unknown): DeliveryStep | undefined {
  const step = value as { kind?: unknown; field?: unknown } | undefined;
  if (step?.kind === "open_pull_request" || step?.kind === "review_pull_request" || step?.kind === "deliver_later")
    return { kind: step.kind };
  if (step?.kind === "edit" && (step.field === "branch" || step.field === "base"))
    return { kind: "edit", field: step.field };
  return undefined;
}

/** The fields a split adds to the stored `delivery` (none without one). */
export function deliverySplitFields(split: DeliverySplit | undefined): Partial<DeliverySplit> {
  return split ? { ...split } : {};
}
