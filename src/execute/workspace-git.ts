import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fail, type Result } from "../projects/result.ts";
import { commitArtifacts } from "./artifacts-commit.ts";
import { gitEnv } from "./git.ts";
import type { RunPlan } from "./run-plan.ts";
import { initLocal, updateExisting } from "./workspace-branch.ts";
import { adoptClone } from "./workspace-clone.ts";
import { addLocalExcludes, LOCAL_EXCLUDES } from "./workspace-excludes.ts";
import { gitFailure, gitIn } from "./workspace-git-steps.ts";
import { makeFolders } from "../projects/make-folders.ts";

export { excludeLocally } from "./workspace-excludes.ts";

/** What preparing a workspace did, for the run report. */
export interface PreparedWorkspace {
  /** One line: cloned/fetched, branch created or checked out, artifacts committed. */
  summary: string;
  /** The feature branch's commit after preparation. */
  head: string;
  artifactsCommitted: boolean;
}

/** Options of {@link prepareWorkspace}. */
export interface PrepareOptions {
  env?: NodeJS.ProcessEnv | undefined;
  /** Extra paths (relative to the workspace) to keep out of commits, e.g. an installed Ralph template. */
  excludes?: readonly string[];
}

/**
 * Gets `plan.root` onto the feature branch with the planning artifacts committed:
 * - no `.git` and a remote: clone (no checkout) into a hidden temp folder next to the workspace, move its
 *   `.git` in, point the branch at `origin/<branch>` (exists) or `origin/<base>` (new) and write only the
 *   files the workspace lacks — planning output already there is never overwritten;
 * - no `.git` and no remote: `git init -b <base>`, an empty initial commit, the branch;
 * - a `.git` already: check its origin is this remote, fetch, switch to (or create) the branch.
 * Then `chore: planning artifacts` is committed when final-plan.md / prd.json are new or changed.
 * Every git failure is a failure value whose message carries git's own words.
 */
export async function prepareWorkspace(
  plan: RunPlan,
  options: PrepareOptions = {},
): Promise<Result<{ prepared: PreparedWorkspace }>> {
  const env = gitEnv(options.env, dirname(plan.root));
  const git = gitIn(plan.root, env);
  try {
    await makeFolders(plan.root);
  } catch (error) {
    return fail("execute_failed", `Cannot create the workspace ${plan.root}: ${(error as Error).message}`);
  }
  const steps: string[] = [];
  let outcome: Result<object>;
  if (!existsSync(join(plan.root, ".git"))) {
    outcome = plan.remoteUrl ? await adoptClone(plan, plan.remoteUrl, env, steps) : await initLocal(plan, git, steps);
  } else {
    outcome = await updateExisting(plan, git, steps);
  }
  if (!outcome.ok) return outcome;

  const excluded = await addLocalExcludes(git, plan.root, [
    ...LOCAL_EXCLUDES,
    ...(options.excludes ?? []).map((path) => `/${path}`),
  ]);
  if (!excluded.ok) return gitFailure("could not update .git/info/exclude", excluded);
  const committed = await commitArtifacts(git, plan.root);
  if (!committed.ok) return committed;
  if (committed.committed) steps.push("committed the planning artifacts");
  const head = await git(["rev-parse", "HEAD"]);
  if (!head.ok) return gitFailure("the branch has no commit", head);
  return {
    ok: true,
    prepared: { summary: steps.join(", "), head: head.stdout.trim(), artifactsCommitted: committed.committed },
  };
}
