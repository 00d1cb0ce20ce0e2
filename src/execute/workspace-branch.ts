import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fail, type Result } from "../projects/result.ts";
import { operatorDetails } from "../projects/operator-fix.ts";
import { NETWORK_GIT_TIMEOUT_MS, PLANBOT_IDENTITY } from "./git.ts";
import { catchUpWithBase } from "./base-catch-up.ts";
import { redactUrl, sameRemote } from "./remote-url.ts";
import type { RunPlan } from "./run-plan.ts";
import { gitFailure, hasRef, type Git } from "./workspace-git-steps.ts";

/** No `.git` and no remote: `git init -b <base>`, an empty initial commit, then the feature branch. */
export async function initLocal(plan: RunPlan, git: Git, steps: string[]): Promise<Result<object>> {
  const init = await git(["init", "--quiet", "-b", plan.base]);
  if (!init.ok) return gitFailure("could not create a local repository", init);
  const first = await git([
    ...PLANBOT_IDENTITY,
    "-c",
    "commit.gpgsign=false",
    "commit",
    "--quiet",
    "--allow-empty",
    "--no-verify",
    "-m",
    "chore: initial commit",
  ]);
  if (!first.ok) {
    await rm(join(plan.root, ".git"), { recursive: true, force: true });
    return gitFailure("could not make the initial commit", first);
  }
  steps.push(`created a local repository on ${plan.base}`);
  if (plan.branch !== plan.base) {
    const branch = await git(["switch", "--quiet", "-c", plan.branch]);
    if (!branch.ok) return gitFailure(`could not create branch ${plan.branch}`, branch);
    steps.push(`created branch ${plan.branch} from ${plan.base}`);
  }
  return { ok: true };
}

/**
 * A `.git` already: check its origin is the project's remote and fetch, then switch to the feature
 * branch — local (moved onto the base's new tip while it holds no work: base-catch-up.ts), tracked from
 * origin, or created from the base (origin's, else the local one).
 */
export async function updateExisting(plan: RunPlan, git: Git, steps: string[]): Promise<Result<object>> {
  if (plan.remoteUrl) {
    const origin = await git(["remote", "get-url", "origin"]);
    if (!origin.ok) {
      return fail(
        "execute_failed",
        `the workspace ${plan.root} is a git repository without an "origin" remote, expected ${redactUrl(plan.remoteUrl)}: add it (git remote add origin …) or move the folder away.`,
        { details: { slug: plan.slug, ...operatorDetails("workspace_unusable") } },
      );
    }
    const actual = origin.stdout.trim();
    if (!sameRemote(actual, plan.remoteUrl)) {
      return fail(
        "execute_failed",
        `the workspace ${plan.root} is a clone of ${redactUrl(actual)}, not ${redactUrl(plan.remoteUrl)}: move it away or fix the project's repo.`,
        { details: { slug: plan.slug, next: "edit", field: "repo", ...operatorDetails("workspace_other_repo") } },
      );
    }
    const fetched = await git(["fetch", "--prune", "--quiet", "origin"], NETWORK_GIT_TIMEOUT_MS);
    if (!fetched.ok) {
      // The workspace is a clone of the right repository: only the server's remote or credentials can be at fault.
      const failed = gitFailure(`could not fetch ${redactUrl(plan.remoteUrl)}`, fetched);
      return { ...failed, details: { ...failed.details, slug: plan.slug, ...operatorDetails("git_remote") } };
    }
    steps.push(`fetched ${redactUrl(plan.remoteUrl)}`);
  }
  const current = await git(["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (current.ok && current.stdout.trim() === plan.branch && (await hasRef(git, "HEAD"))) {
    steps.push(`on branch ${plan.branch}`);
    await catchUpWithBase(plan, git, steps);
    return { ok: true };
  }
  if (await hasRef(git, `refs/heads/${plan.branch}`)) {
    const switched = await git(["switch", "--quiet", plan.branch]);
    if (!switched.ok) return gitFailure(`could not switch to ${plan.branch}`, switched);
    steps.push(`checked out branch ${plan.branch}`);
    await catchUpWithBase(plan, git, steps);
    return { ok: true };
  }
  if (plan.remoteUrl && (await hasRef(git, `refs/remotes/origin/${plan.branch}`))) {
    const tracked = await git(["switch", "--quiet", "-c", plan.branch, "--track", `origin/${plan.branch}`]);
    if (!tracked.ok) return gitFailure(`could not check out origin/${plan.branch}`, tracked);
    steps.push(`checked out existing branch ${plan.branch}`);
    return { ok: true };
  }
  const start = (await hasRef(git, `refs/remotes/origin/${plan.base}`))
    ? `origin/${plan.base}`
    : (await hasRef(git, `refs/heads/${plan.base}`))
      ? plan.base
      : undefined;
  if (!start)
    return fail(
      "execute_failed",
      `base branch "${plan.base}" exists neither as origin/${plan.base} nor locally in ${plan.root}; push it or set the project's base.`,
      { details: { slug: plan.slug, next: "edit", field: "base" } },
    );
  const created = await git(["switch", "--quiet", "--no-track", "-c", plan.branch, start]);
  if (!created.ok) return gitFailure(`could not create branch ${plan.branch} from ${start}`, created);
  steps.push(`created branch ${plan.branch} from ${start}`);
  return { ok: true };
}
