import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Result } from "../projects/result.ts";
import { PLANBOT_IDENTITY } from "./git.ts";
import { gitFailure, type Git } from "./workspace-git-steps.ts";

/** The planning artifacts (relative to the workspace) that must be on the feature branch. */
export const PLANNING_ARTIFACTS = ["scripts/ralph/final-plan.md", "scripts/ralph/prd.json"] as const;

/** The commit message of the planning artifacts commit. */
export const ARTIFACTS_COMMIT_MESSAGE = "chore: planning artifacts";

/**
 * Commits final-plan.md and prd.json as `chore: planning artifacts` when they are new or changed;
 * `committed` says whether a commit was made.
 */
export async function commitArtifacts(git: Git, root: string): Promise<Result<{ committed: boolean }>> {
  const files = PLANNING_ARTIFACTS.filter((path) => existsSync(join(root, path)));
  if (files.length === 0) return { ok: true, committed: false };
  // --force: the plan must be on the branch even if the project ignores scripts/ralph/.
  const added = await git(["add", "--force", "--", ...files]);
  if (!added.ok) return gitFailure("could not stage the planning artifacts", added);
  const diff = await git(["diff", "--cached", "--quiet", "--", ...files]);
  if (diff.ok) return { ok: true, committed: false };
  if (diff.exitCode !== 1) return gitFailure("could not compare the planning artifacts", diff);
  const commit = await git([
    ...PLANBOT_IDENTITY,
    "-c",
    "commit.gpgsign=false",
    "commit",
    "--quiet",
    "--no-verify",
    "-m",
    ARTIFACTS_COMMIT_MESSAGE,
    "--",
    ...files,
  ]);
  if (!commit.ok) return gitFailure("could not commit the planning artifacts", commit);
  return { ok: true, committed: true };
}
