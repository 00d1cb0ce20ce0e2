import { ARTIFACTS_COMMIT_MESSAGE } from "./artifacts-commit.ts";
import { PLANBOT_IDENTITY } from "./git.ts";
import type { RunPlan } from "./run-plan.ts";
import { hasRef, type Git } from "./workspace-git-steps.ts";

/**
 * Moves an existing feature branch onto its base's new tip when the branch holds no work yet: every commit
 * it has beyond the base is planbot's own `chore: planning artifacts`, and it was never pushed. That is the
 * branch a refused run leaves (Ralph's script missing or not executable on the base): without this, the
 * fix the project's owner pushes to the base would never reach the workspace, and every later run would be
 * refused the same way. A branch with any other commit, or one on the remote, is a run's work and stays as
 * it is; so does one with uncommitted changes (git refuses, and a stash could leave the plan files behind),
 * and a rebase that does not apply cleanly is undone. What happened goes to `steps`.
 */
export async function catchUpWithBase(plan: RunPlan, git: Git, steps: string[]): Promise<void> {
  if (!plan.remoteUrl || plan.branch === plan.base) return;
  const base = `origin/${plan.base}`;
  if (!(await hasRef(git, base)) || (await hasRef(git, `refs/remotes/origin/${plan.branch}`))) return;
  if ((await git(["merge-base", "--is-ancestor", base, "HEAD"])).ok) return;
  const own = await git(["log", "--format=%s", `${base}..HEAD`]);
  if (!own.ok || own.stdout.split("\n").some((subject) => subject !== "" && subject !== ARTIFACTS_COMMIT_MESSAGE))
    return;
  const changes = await git(["status", "--porcelain", "--untracked-files=no"]);
  if (!changes.ok || changes.stdout.trim() !== "") {
    steps.push(`kept branch ${plan.branch} on its earlier base: it has uncommitted changes`);
    return;
  }
  const rebased = await git([...PLANBOT_IDENTITY, "-c", "commit.gpgsign=false", "rebase", "--quiet", base]);
  if (rebased.ok) {
    steps.push(`moved branch ${plan.branch} onto ${base}, which changed since the branch was made`);
    return;
  }
  await git(["rebase", "--abort"]);
  steps.push(`kept branch ${plan.branch} on its earlier base: it does not move onto ${base} cleanly`);
}
