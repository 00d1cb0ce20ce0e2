import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gitEnv, runGit } from "../execute/git.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { readPrd } from "../projects/workspace-reads.ts";
import { workspacePaths } from "../projects/workspace.ts";

/** One story of the run's prd.json as the report shows it. */
export interface StoryFact {
  id: string;
  title: string;
  result: "passed" | "failed" | "blocked" | "open";
  notes: string;
}

/** The run's commits: on its branch since the base it was cut from. */
export interface CommitFacts {
  branch: string;
  base: string;
  count: number;
  /** Newest first, at most {@link SUBJECTS_KEPT}. */
  subjects: string[];
}

/** What a run report says beyond the project record: the stories, the commits and the cost. */
export interface RunFacts {
  stories: StoryFact[];
  commits: CommitFacts | null;
  /** US dollars, when the run's cost is known (RunProgress.costUsd); null otherwise. */
  costUsd: number | null;
}

const SUBJECTS_KEPT = 3;
/** A report is built when a run ends; any other transition needs no facts. */
const RUN_ENDS = new Set(["complete", "failed", "blocked"]);

/**
 * Gathers a finished run's facts, cheaply (two local git commands, one prd.json read), because the
 * completion notice waits for them. Nothing here throws: a workspace without git, a branch or base that
 * does not exist, an unreadable prd.json — each only leaves its part out of the report. Git runs with
 * argument arrays, never searches above the workspace folder, and names refs in full, so a branch name can
 * only ever be a ref.
 */
export async function gatherRunFacts(
  record: ProjectRecord,
  options: { workspaceDir: string; costUsd?: number | null | undefined },
): Promise<RunFacts | undefined> {
  if (!RUN_ENDS.has(record.status)) return undefined;
  const paths = workspacePaths(options.workspaceDir, record.slug);
  const prd = readPrd(paths.prd);
  const stories: StoryFact[] = (prd?.userStories ?? []).map((story, index) => ({
    id: typeof story.id === "string" ? story.id : `#${index + 1}`,
    title: typeof story.title === "string" ? story.title : "",
    result:
      story.passes === true ? "passed" : story.blocked === true ? "blocked" : story.failed === true ? "failed" : "open",
    notes: typeof story.notes === "string" ? story.notes : "",
  }));
  const branch = record.branch ?? (typeof prd?.branchName === "string" ? prd.branchName : `ralph/${record.slug}`);
  const commits = await commitsSinceBase(paths.root, options.workspaceDir, branch, record.base_branch ?? "main");
  return { stories, commits, costUsd: options.costUsd ?? null };
}

async function commitsSinceBase(
  root: string,
  ceiling: string,
  branch: string,
  base: string,
): Promise<CommitFacts | null> {
  // No repository, no commits: not worth a process on the completion notice's path.
  const baseRef = existingBaseRef(join(root, ".git"), base);
  if (!baseRef) return null;
  try {
    const log = await runGit(["log", "--format=%s", `refs/heads/${branch}`, "--not", baseRef, "--"], {
      cwd: root,
      env: gitEnv(process.env, ceiling),
      timeoutMs: 10_000,
    });
    if (!log.ok) return null;
    const subjects = log.stdout.split("\n").filter(Boolean);
    return { branch, base, count: subjects.length, subjects: subjects.slice(0, SUBJECTS_KEPT) };
  } catch {
    return null;
  }
}

/**
 * The ref of the base the branch was cut from: the remote's as last fetched, else a local branch. Read from
 * the repository's files (loose refs, then packed-refs) rather than by another git process: one process
 * fewer on the completion notice's path. Undefined when the workspace is no repository or has no such base.
 */
function existingBaseRef(gitDir: string, base: string): string | undefined {
  const candidates = [`refs/remotes/origin/${base}`, `refs/heads/${base}`];
  if (!lstatSync(gitDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  let packed = "";
  try {
    packed = readFileSync(join(gitDir, "packed-refs"), "utf8");
  } catch {
    // No packed-refs file: loose refs only.
  }
  return candidates.find(
    (ref) =>
      lstatSync(join(gitDir, ref), { throwIfNoEntry: false })?.isFile() === true ||
      packed.split("\n").some((line) => line.endsWith(` ${ref}`)),
  );
}
