import { randomBytes } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { operatorDetails } from "../projects/operator-fix.ts";
import { fail, type Result } from "../projects/result.ts";
import { NETWORK_GIT_TIMEOUT_MS, runGit } from "./git.ts";
import { redactUrl } from "./remote-url.ts";
import type { RunPlan } from "./run-plan.ts";
import { gitFailure, gitIn, hasRef, type Git } from "./workspace-git-steps.ts";

/** Where {@link adoptClone} puts a clone: the planner's first checkout and the executor share this one step. */
export type CloneTarget = Pick<RunPlan, "root" | "slug" | "branch" | "base" | "remoteUrl">;

/**
 * Clones `url` into the existing folder `plan.root` (no checkout into a temp folder, `.git` moved in),
 * HEAD on `plan.branch` (from origin, or new from `origin/<base>`), writing only the files the folder
 * lacks. Planning calls it with `branch = base` so the planner reads the code of the base branch.
 */
export async function adoptClone(
  plan: CloneTarget,
  url: string,
  env: NodeJS.ProcessEnv,
  steps: string[],
): Promise<Result<object>> {
  const parent = dirname(plan.root);
  const temp = join(parent, `.${plan.slug}.clone-${randomBytes(4).toString("hex")}`);
  // --no-local: from a local path git would otherwise copy the remote's objects folder file by file, and a
  // push landing meanwhile removes its quarantine folder mid-copy ("failed to copy file"). The transport
  // reads a consistent set of refs and objects; for URLs the flag changes nothing.
  const cloned = await runGit(["clone", "--no-local", "--no-checkout", "--quiet", "--", url, temp], {
    cwd: parent,
    env,
    timeoutMs: NETWORK_GIT_TIMEOUT_MS,
  });
  if (!cloned.ok) {
    await rm(temp, { recursive: true, force: true });
    // Most often the repo's name is wrong, which the member can set (`details.field`); otherwise the server's
    // remote (GIT_REMOTE_BASE) or its git credentials are, which only the operator can fix (`details.operator`).
    const failed = gitFailure(`could not clone ${redactUrl(url)}`, cloned);
    return { ...failed, details: { slug: plan.slug, next: "edit", field: "repo", ...operatorDetails("git_remote") } };
  }
  try {
    await rename(join(temp, ".git"), join(plan.root, ".git"));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    return fail(
      "execute_failed",
      `could not move the clone of ${redactUrl(url)} into ${plan.root}: ${(error as Error).message}`,
    );
  }
  await rm(temp, { recursive: true, force: true });
  steps.push(`cloned ${redactUrl(url)}`);
  const result = await pointAtBranch(plan, gitIn(plan.root, env), steps);
  // Leave the workspace as it was (planning artifacts only) so the next attempt starts clean.
  if (!result.ok) await rm(join(plan.root, ".git"), { recursive: true, force: true });
  return result;
}

/** After a no-checkout clone: HEAD on the feature branch, index = its tree, only missing files written. */
async function pointAtBranch(plan: CloneTarget, git: Git, steps: string[]): Promise<Result<object>> {
  const onRemote = await hasRef(git, `refs/remotes/origin/${plan.branch}`);
  const start = onRemote ? `origin/${plan.branch}` : `origin/${plan.base}`;
  if (!onRemote && !(await hasRef(git, `refs/remotes/origin/${plan.base}`))) {
    return fail(
      "execute_failed",
      `base branch "${plan.base}" does not exist on ${redactUrl(plan.remoteUrl ?? "the remote")}${plan.branch === plan.base ? "" : ` (and neither does "${plan.branch}")`}; push it or set the project's base.`,
      { details: { slug: plan.slug, next: "edit", field: "base" } },
    );
  }
  const sha = await git(["rev-parse", "--verify", "--quiet", `${start}^{commit}`]);
  if (!sha.ok) return gitFailure(`could not resolve ${start}`, sha);
  for (const args of [
    ["update-ref", `refs/heads/${plan.branch}`, sha.stdout.trim()],
    ["symbolic-ref", "HEAD", `refs/heads/${plan.branch}`],
    ["reset", "--quiet"],
  ]) {
    const step = await git(args);
    if (!step.ok) return gitFailure(`could not check out ${plan.branch}`, step);
  }
  const missing = await git(["ls-files", "--deleted", "-z"]);
  if (!missing.ok) return gitFailure("could not list the branch's files", missing);
  if (missing.stdout.length > 0) {
    const written = await git(["checkout-index", "--stdin", "-z"], undefined, missing.stdout);
    if (!written.ok) return gitFailure(`could not write the files of ${plan.branch}`, written);
  }
  if (onRemote) {
    const upstream = await git(["branch", `--set-upstream-to=origin/${plan.branch}`, plan.branch]);
    if (!upstream.ok) return gitFailure(`could not track origin/${plan.branch}`, upstream);
    steps.push(`checked out existing branch ${plan.branch}`);
  } else {
    steps.push(`created branch ${plan.branch} from origin/${plan.base}`);
  }
  return { ok: true };
}
