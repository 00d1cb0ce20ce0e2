import { lstat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { gitEnv } from "../execute/git.ts";
import { redactUrl, remoteUrlFor } from "../execute/remote-url.ts";
import { adoptClone } from "../execute/workspace-clone.ts";
import { fail, type Result } from "../projects/result.ts";
import { operatorDetails, operatorProblemOf } from "../projects/operator-fix.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { validateBaseBranch, validateRepo, validateSlug } from "../projects/validation.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { makeFolders } from "../projects/make-folders.ts";

/** What the planner works in, and one line for its first prompt saying where the code is. */
export interface PlanningWorkspace {
  root: string;
  /** E.g. "a checkout of branch main of /srv/git/todo" or "an empty folder: the project starts from scratch". */
  description: string;
}

/** Options of {@link preparePlanningWorkspace}. */
export interface PlanningWorkspaceOptions {
  workspaceDir: string;
  /** GIT_REMOTE_BASE: with it the project has a repository to read. */
  gitRemoteBase?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Makes the project's workspace exist before the first planner turn, so planning is grounded in the
 * project and never runs in planbot's data folder: with a repository (GIT_REMOTE_BASE), a checkout of
 * its base branch by the executor's own clone step; without, an empty folder of its own. A workspace
 * that is already a clone (an earlier planning or run) is used as it is. A symlinked workspace folder is
 * refused: nothing from a repository decides where planbot or the planner work.
 */
export async function preparePlanningWorkspace(
  entry: Pick<ProjectEntry, "name" | "repo" | "base_branch">,
  options: PlanningWorkspaceOptions,
): Promise<Result<{ workspace: PlanningWorkspace }>> {
  const slugProblem = validateSlug(entry.name);
  if (slugProblem) return fail("invalid_slug", slugProblem);
  const root = workspacePaths(options.workspaceDir, entry.name).root;
  const existing = await lstat(root).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    return fail(
      "invalid_state",
      `The workspace ${root} is ${existing.isSymbolicLink() ? "a symbolic link" : "not a folder"}; planbot only plans in a real folder of its own. Move it away and plan again.`,
      { details: { slug: entry.name, ...operatorDetails("workspace_unusable") } },
    );
  }
  try {
    await makeFolders(root);
  } catch (error) {
    return fail(
      "store_io",
      `Cannot create the workspace ${root}: ${(error as Error).message}. Check PLANBOT_WORKSPACE_DIR.`,
      { details: { slug: entry.name, ...operatorDetails("workspace_unusable", error) } },
    );
  }
  if (!options.gitRemoteBase) {
    return {
      ok: true,
      workspace: {
        root,
        description: `${root}, an empty folder of this project's own (no GIT_REMOTE_BASE is configured, so the project starts from scratch)`,
      },
    };
  }
  const repo = entry.repo?.trim() || entry.name;
  const base = entry.base_branch?.trim() || "main";
  const problem = validateRepo(repo) ?? validateBaseBranch(base);
  if (problem) return fail("validation_failed", problem);
  const url = remoteUrlFor(options.gitRemoteBase, repo);
  const description = `${root}, a checkout of branch ${base} of the project's repository ${redactUrl(url)}`;
  if (existsSync(join(root, ".git")))
    return { ok: true, workspace: { root, description: `${root}, the project's clone of ${redactUrl(url)}` } };
  const steps: string[] = [];
  const cloned = await adoptClone(
    { root, slug: entry.name, branch: base, base, remoteUrl: url },
    url,
    gitEnv(options.env, dirname(root)),
    steps,
  );
  if (!cloned.ok) {
    // A clone that failed may be the member's (the repo name) or the operator's (GIT_REMOTE_BASE, the
    // server's credentials): the message names both for the CLI and the logs; `details` split them for chats.
    const operatorToo = operatorProblemOf(cloned) === "git_remote";
    const fix = operatorToo
      ? "Fix the project's repo, or GIT_REMOTE_BASE or the server's git credentials"
      : "Fix the project's repo or base, or GIT_REMOTE_BASE";
    return fail(
      "planner_failed",
      `Could not get the code of ${entry.name} for planning: ${cloned.message.replace(/\.+$/, "")}. ${fix}, then plan again.`,
      {
        // The surfaces word the way to set it (`/edit`, `planbot projects edit`) from these details.
        details: { ...cloned.details, reason: "workspace", slug: entry.name, next: "edit" },
      },
    );
  }
  return { ok: true, workspace: { root, description } };
}
