import type { DeliverySplit } from "./delivery-split.ts";
import type { GithubClient } from "./github-client.ts";
import type { GithubRepo } from "./github-repo.ts";
import { scrubToken } from "./scrub.ts";

/** The pull request planbot opened or updated. */
export interface PullRequestRef {
  url: string;
  number: number;
  action: "created" | "updated";
}

/** Why the pull request step failed, for the message and what to do. */
export type PullRequestProblem = "auth" | "forbidden" | "not_found" | "branch_missing" | "invalid" | "unavailable";

/**
 * The pull request problems only planbot's operator can fix on the server: GITHUB_TOKEN refused, and a
 * pushed branch GitHub does not have (the push went to another repository than GITHUB_OWNER's, so opening
 * the pull request by hand cannot work either). Member surfaces say to tell planbot's admin instead of its hint. A 403, 404 or 422 is split instead: the branch is
 * pushed, so the member can open the pull request by hand or fix the base (`split`, delivery-split.ts).
 */
export const OPERATOR_PULL_REQUEST_PROBLEMS: ReadonlySet<PullRequestProblem> = new Set<PullRequestProblem>([
  "auth",
  "branch_missing",
]);

/**
 * A failed pull request step: kind, the API's words (scrubbed) and what a person should do; `split` when a
 * chat member can do part of it and the operator the rest.
 */
export interface PullRequestFailure {
  ok: false;
  problem: PullRequestProblem;
  message: string;
  hint: string;
  split?: DeliverySplit;
}

/** What {@link openOrUpdatePullRequest} sends. */
export interface PullRequestDraft {
  branch: string;
  base: string;
  title: string;
  body: string;
}

/**
 * Opens a draft pull request from `branch` into `base`, or updates the open one: it looks for an open
 * pull request of `owner:branch` first, and a 422 "A pull request already exists" (another planbot, or
 * GitHub's search lagging) means look again and update that one — never a second pull request.
 */
export async function openOrUpdatePullRequest(
  client: GithubClient,
  target: GithubRepo,
  draft: PullRequestDraft,
  token: string,
): Promise<({ ok: true } & PullRequestRef) | PullRequestFailure> {
  const repo = { owner: target.owner, repo: target.repo };
  try {
    const existing = await findOpen(client, target, draft.branch, draft.base);
    if (existing) return await update(client, target, existing, draft);
    try {
      const create = (asDraft: boolean) =>
        client.rest.pulls.create({
          ...repo,
          head: draft.branch,
          base: draft.base,
          title: draft.title,
          body: draft.body,
          draft: asDraft,
        });
      // Private repositories on GitHub's free plans have no drafts: GitHub says so with a 422; open a normal one.
      const created = await create(true).catch((error: unknown) =>
        draftsUnsupported(error) ? create(false) : Promise.reject(error),
      );
      return { ok: true, url: created.data.html_url, number: created.data.number, action: "created" };
    } catch (error) {
      if (!alreadyExists(error)) throw error;
      const found =
        (await findOpen(client, target, draft.branch, draft.base)) ??
        (await findOpen(client, target, draft.branch, undefined));
      if (!found) throw error;
      return await update(client, target, found, draft);
    }
  } catch (error) {
    return describeFailure(error, target, draft.branch, token);
  }
}

async function findOpen(
  client: GithubClient,
  target: GithubRepo,
  branch: string,
  base: string | undefined,
): Promise<number | undefined> {
  const listed = await client.rest.pulls.list({
    owner: target.owner,
    repo: target.repo,
    head: `${target.owner}:${branch}`,
    state: "open",
    per_page: 10,
    ...(base ? { base } : {}),
  });
  // Filter again: a server that ignores `head` must not make planbot update someone else's pull request.
  return listed.data.find((pull) => pull.head.ref === branch)?.number;
}

async function update(
  client: GithubClient,
  target: GithubRepo,
  number: number,
  draft: PullRequestDraft,
): Promise<{ ok: true } & PullRequestRef> {
  const updated = await client.rest.pulls.update({
    owner: target.owner,
    repo: target.repo,
    pull_number: number,
    title: draft.title,
    body: draft.body,
  });
  return { ok: true, url: updated.data.html_url, number: updated.data.number, action: "updated" };
}

/** Octokit's RequestError, as far as planbot reads it. */
interface ApiError {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: { message?: string; field?: string }[] } };
}

function apiWords(error: unknown): string {
  const api = error as ApiError;
  const data = api.response?.data;
  const details = (data?.errors ?? []).map((item) => item.message).filter(Boolean);
  return [data?.message ?? api.message ?? String(error), ...details].join(": ");
}

function alreadyExists(error: unknown): boolean {
  return (error as ApiError).status === 422 && /pull request already exists/i.test(apiWords(error));
}

function draftsUnsupported(error: unknown): boolean {
  return (error as ApiError).status === 422 && /draft pull requests are not supported/i.test(apiWords(error));
}

function describeFailure(error: unknown, target: GithubRepo, branch: string, token: string): PullRequestFailure {
  // Octokit reports a connection failure as status 500 without a response: that is "not reached", not an answer.
  const status = (error as ApiError).response ? (error as ApiError).status : undefined;
  const where = `${target.owner}/${target.repo}`;
  const words = scrubToken(apiWords(error), token).slice(0, 300);
  const message = status
    ? `GitHub answered ${status} for ${where}: ${words}`
    : `GitHub could not be reached for ${where}: ${words}`;
  const split = status ? pullRequestSplit(status, scrubToken(apiWords(error), token), errorFields(error)) : undefined;
  const failure = (problem: PullRequestProblem, hint: string): PullRequestFailure => ({
    ok: false,
    problem,
    message,
    hint,
    ...(split ? { split } : {}),
  });
  if (status === 401)
    return failure(
      "auth",
      "GITHUB_TOKEN was refused: set a valid token (with pull-request write access) and deliver it again.",
    );
  if (status === 403)
    return failure(
      "forbidden",
      `The token may not open pull requests on ${where} (or a rate limit holds): give it pull-request write access, or open the pull request by hand.`,
    );
  if (status === 404)
    return failure(
      "not_found",
      `${where} was not found with this token: check GITHUB_OWNER / GIT_REMOTE_BASE and the token's repository access.`,
    );
  if (status === 422 && split?.problem === "pr_branch_missing")
    return failure(
      "branch_missing",
      `GitHub has no branch ${branch} in ${where}, so no pull request can be opened from it, by planbot or by hand: the branch was pushed to GIT_REMOTE_BASE, which must be the same repository as GITHUB_OWNER's ${where} (or the branch was deleted there since). Fix that, then deliver again.`,
    );
  if (status === 422)
    return failure(
      "invalid",
      "GitHub refused the pull request (see its words above); open it by hand from the pushed branch.",
    );
  return {
    ok: false,
    problem: "unavailable",
    message,
    hint: "The GitHub API is unavailable; the branch is pushed, so open the pull request by hand or deliver it again later.",
    split: PR_UNAVAILABLE,
  };
}

/** GitHub down or out of reach (5xx, network): the branch is pushed; deliver again later or open it by hand. */
export const PR_UNAVAILABLE: DeliverySplit = { problem: "pr_unavailable", next: { kind: "deliver_later" } };

/** The fields GitHub's error objects name (`head`, `base`, …). */
function errorFields(error: unknown): string[] {
  return ((error as ApiError).response?.data?.errors ?? []).flatMap((item) => (item.field ? [item.field] : []));
}

/**
 * The split of a pull request GitHub answered with `status`: the member's step (open it by hand, set the
 * base, review the open one) and the operator's part (the token, the repository), read from GitHub's words
 * and the fields its errors name (`head`: the branch is not in that repository). Undefined for an answer
 * that is no refusal. A delivery an older planbot stored with GitHub's words only is read the same way
 * (legacy-delivery.ts), without the fields.
 */
export function pullRequestSplit(
  status: number,
  words: string,
  fields: readonly string[] = [],
): DeliverySplit | undefined {
  if (status === 401) return { problem: "pr_auth", operator: "github_token" };
  if (status === 403)
    // A rate limit passes by itself: then the member's step is all there is.
    return {
      problem: "pr_forbidden",
      next: { kind: "open_pull_request" },
      ...(/rate limit/i.test(words) ? {} : { operator: "token_access" as const }),
    };
  if (status === 404)
    return { problem: "pr_repo_not_found", next: { kind: "open_pull_request" }, operator: "github_repo" };
  if (status !== 422) return undefined;
  if (fields.includes("head")) return { problem: "pr_branch_missing", operator: "github_repo" };
  // What a member can do about GitHub's other 422s, by its words: none of these is the operator's.
  if (/no commits between/i.test(words)) return { problem: "pr_no_commits", next: { kind: "edit", field: "base" } };
  if (fields.includes("base")) return { problem: "pr_base_missing", next: { kind: "edit", field: "base" } };
  if (/pull request already exists/i.test(words))
    return { problem: "pr_already_open", next: { kind: "review_pull_request" } };
  return { problem: "pr_refused", next: { kind: "open_pull_request" } };
}
