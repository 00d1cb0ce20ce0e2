import type { Config } from "../config.ts";
import { readPrd } from "../projects/workspace-reads.ts";
import { fail, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { validateBaseBranch, validateBranch, validateRepo, validateSlug } from "../projects/validation.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { resolveRalphCommand, type RalphLaunchSpec } from "./ralph-command.ts";
import { redactUrl, remoteUrlFor } from "./remote-url.ts";

/** The parts of the configuration the executor reads. */
export type ExecutorConfig = Pick<Config, "dataDir" | "workspaceDir" | "execute">;

/** Everything one run will do, decided before anything is touched (so `--dry-run` can print it). */
export interface RunPlan {
  slug: string;
  /** The workspace folder, `$PLANBOT_WORKSPACE_DIR/<slug>`. */
  root: string;
  repo: string;
  /** `GIT_REMOTE_BASE/<repo>`, or null for a fresh local repository. */
  remoteUrl: string | null;
  branch: string;
  /** Where the branch name came from: the entry, prd.json's branchName, or the `ralph/<slug>` default. */
  branchFrom: "entry" | "prd" | "default";
  base: string;
  ralph: RalphLaunchSpec;
}

/**
 * Works out the plan of one approved entry. Repo, branch and base are validated again here although the
 * lifecycle checked them on proposal: the file is shared with other tools and prd.json's branchName
 * comes from the planner, and all of them end up as git arguments.
 */
export function planRun(
  entry: ProjectEntry,
  config: ExecutorConfig,
  cwd: string = process.cwd(),
): Result<{ plan: RunPlan }> {
  const slug = entry.name;
  const slugProblem = validateSlug(slug);
  if (slugProblem) return fail("invalid_slug", slugProblem);
  const paths = workspacePaths(config.workspaceDir, slug);
  const repo = entry.repo?.trim() || slug;
  const repoProblem = validateRepo(repo);
  if (repoProblem) return fail("validation_failed", repoProblem, { fields: { repo: repoProblem } });

  let branch = entry.branch?.trim() || "";
  let branchFrom: RunPlan["branchFrom"] = "entry";
  if (!branch) {
    const fromPrd = readPrd(paths.prd)?.branchName?.trim();
    branch = fromPrd || `ralph/${slug}`;
    branchFrom = fromPrd ? "prd" : "default";
  }
  const branchProblem = validateBranch(branch, branchFrom === "prd" ? "prd.json branchName" : "branch");
  if (branchProblem) return fail("validation_failed", branchProblem, { fields: { branch: branchProblem } });
  const base = entry.base_branch?.trim() || "main";
  const baseProblem = validateBaseBranch(base);
  if (baseProblem) return fail("validation_failed", baseProblem, { fields: { base_branch: baseProblem } });

  const ralph = resolveRalphCommand(config.execute.ralphCommand, paths.root, config.dataDir);
  if (!ralph.ok) return ralph;
  const remoteUrl = config.execute.gitRemoteBase ? remoteUrlFor(config.execute.gitRemoteBase, repo, cwd) : null;
  return { ok: true, plan: { slug, root: paths.root, repo, remoteUrl, branch, branchFrom, base, ralph: ralph.spec } };
}

/** One line saying what a run would do, for `--dry-run` and logs (credentials in the URL hidden). */
export function describePlan(plan: RunPlan): string {
  const source = plan.remoteUrl ? `remote ${redactUrl(plan.remoteUrl)}` : "no GIT_REMOTE_BASE: fresh local repository";
  return `${source}; workspace ${plan.root}; branch ${plan.branch} (${plan.branchFrom}) from ${plan.remoteUrl ? "origin/" : ""}${plan.base} unless it exists; run ${plan.ralph.display}`;
}
