import type { FixableField } from "../projects/error-fix.ts";

/**
 * A delivery failure that is partly a chat member's to fix and partly planbot's operator's, as data: what
 * went wrong in the member's terms (`problem`), the member's step (`next`) and, when there is one, the
 * operator's part (`operator`). Stored flat on the project's `delivery` next to the operator's whole `hint`,
 * so chats word the member's step with its command and "tell planbot's admin" for the rest, while the
 * terminal, the CLI and the logs keep the hint (docs/architecture.md, "Editing a project").
 */
export interface DeliverySplit {
  problem: DeliveryProblem;
  next: DeliveryStep;
  operator?: DeliveryAdminPart;
}

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
  | "pr_refused";

/**
 * The member's step: set the project's branch or base (`/edit`, the same step as a run failure's,
 * src/projects/error-fix.ts; a pushed branch can no longer move, its base can), open the pull request by
 * hand on GitHub from the pushed branch, or review the one already open there.
 */
export type DeliveryStep =
  | { kind: "edit"; field: Extract<FixableField, "branch" | "base"> }
  | { kind: "open_pull_request" }
  | { kind: "review_pull_request" };

/** The operator's part of the fix, on the remote or the server, in words a chat can pass on. */
export type DeliveryAdminPart =
  /** Let planbot's account push to the protected branch. */
  | "push_permission"
  /** Merge the remote branch's new commits into the workspace's branch on the server. */
  | "workspace_merge"
  /** Give planbot's GitHub token the right to open pull requests in the repository. */
  | "token_access"
  /** Point planbot at the GitHub repository the branch went to (GITHUB_OWNER, GIT_REMOTE_BASE) or give its token access. */
  | "github_repo";

const PROBLEMS: ReadonlySet<string> = new Set<DeliveryProblem>([
  "branch_protected",
  "branch_moved",
  "pr_forbidden",
  "pr_repo_not_found",
  "pr_no_commits",
  "pr_base_missing",
  "pr_already_open",
  "pr_refused",
]);
const ADMIN_PARTS: ReadonlySet<string> = new Set<DeliveryAdminPart>([
  "push_permission",
  "workspace_merge",
  "token_access",
  "github_repo",
]);

/**
 * The split a stored delivery carries, or undefined: the store may hold a delivery from another planbot
 * version, and a split this one cannot word is left to the delivery's own hint.
 */
export function readDeliverySplit(
  delivery: { problem?: unknown; next?: unknown; operator?: unknown } | null | undefined,
): DeliverySplit | undefined {
  const problem = delivery?.problem;
  const next = asStep(delivery?.next);
  if (typeof problem !== "string" || !PROBLEMS.has(problem) || !next) return undefined;
  const operator = delivery?.operator;
  return {
    problem: problem as DeliveryProblem,
    next,
    ...(typeof operator === "string" && ADMIN_PARTS.has(operator) ? { operator: operator as DeliveryAdminPart } : {}),
  };
}

function asStep(value: unknown): DeliveryStep | undefined {
  const step = value as { kind?: unknown; field?: unknown } | undefined;
  if (step?.kind === "open_pull_request" || step?.kind === "review_pull_request") return { kind: step.kind };
  if (step?.kind === "edit" && (step.field === "branch" || step.field === "base"))
    return { kind: "edit", field: step.field };
  return undefined;
}

/** The fields a split adds to the stored `delivery` (none without one). */
export function deliverySplitFields(split: DeliverySplit | undefined): Partial<DeliverySplit> {
  return split ? { ...split } : {};
}
