import { readdir } from "node:fs/promises";
import { gitEnv, runGit } from "./git.ts";
import { storyProgress } from "../projects/derive-status.ts";
import { LoosePrdSchema, type LoosePrd, type ProjectEntry } from "../projects/schemas.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { openWorkspaceFile, workspacePathProblem } from "../projects/workspace-files.ts";
import type { RunProgress } from "./run-progress.ts";
import { dirname } from "node:path";

/** What ralph.sh prints at the start of every iteration: `Ralph Iteration 3 of 10 (claude)`. */
const ITERATION = /Ralph Iteration (\d+) of (\d+)/g;

/** How much of the log's end is read each sample; further back only when no iteration line is in it. */
const TAIL_BYTES = 64 * 1024;
const DEEP_TAIL_BYTES = 2 * 1024 * 1024;

/** What one sample remembers for the next one of the same run (the iteration line may scroll out of the tail). */
export interface SampleMemory {
  iteration: number;
  maxIterations: number | null;
  /** The commits as last counted, and the activity time they were counted at (git runs only after activity). */
  commits?: { count: number; last: string | null; activityMs: number };
}

/**
 * Reads one local run's progress from its workspace (README, "Live progress"): stories and the current
 * story from prd.json, the iteration from ralph.sh's "Ralph Iteration i of N" lines in the newest run log,
 * commits on HEAD since `started_head` (recorded at launch) and the newest one's subject, and the last
 * activity as the newer of prd.json's and the log's modification times. Every file is opened without
 * following links (workspace-files.ts). Cost stays null: ralph.sh runs `claude --print` with text output,
 * which reports no cost, and turning transcript token counts into dollars would need a price list planbot
 * cannot keep true.
 */
export async function sampleRun(
  entry: ProjectEntry,
  workspaceDir: string,
  env: NodeJS.ProcessEnv,
  memory: SampleMemory | undefined,
): Promise<{ progress: RunProgress; memory: SampleMemory }> {
  const paths = workspacePaths(workspaceDir, entry.name);
  const startedAt = entry.started_at ?? new Date(0).toISOString();
  const prd = await readPrdFile(paths.root);
  const stories = storyProgress(prd.prd);
  const log = await readNewestLog(paths.root, paths.logs, memory === undefined);
  const seen = lastIteration(log.text);
  const activity = Math.max(prd.mtimeMs, log.mtimeMs, Date.parse(startedAt) || 0);
  // Ralph's agent commits and then updates prd.json and the log: without new activity, no new commits.
  const commits =
    memory?.commits && memory.commits.activityMs === activity
      ? memory.commits
      : { ...(await commitsSince(paths.root, entry, env)), activityMs: activity };
  const next: SampleMemory = {
    iteration: seen?.iteration ?? memory?.iteration ?? 0,
    maxIterations: seen?.maxIterations ?? memory?.maxIterations ?? null,
    commits,
  };
  return {
    progress: {
      slug: entry.name,
      runId: startedAt,
      startedAt,
      storiesDone: stories.done,
      storiesTotal: stories.total,
      currentStory: currentStory(prd.prd),
      iteration: next.iteration,
      maxIterations: next.maxIterations,
      lastCommit: commits.last,
      commits: commits.count,
      costUsd: null,
      worker: null,
      lastActivityAt: new Date(activity).toISOString(),
    },
    memory: next,
  };
}

/** The first story not passing, by priority (file order breaks ties), as ralph.sh's agent picks it. */
export function currentStory(prd: LoosePrd | null): RunProgress["currentStory"] {
  const stories = (prd?.userStories ?? []).map((story, index) => ({ story, index }));
  const open = stories.filter(({ story }) => story.passes !== true);
  const priority = (value: unknown) => (typeof value === "number" ? value : Number.POSITIVE_INFINITY);
  open.sort((a, b) => priority(a.story.priority) - priority(b.story.priority) || a.index - b.index);
  const first = open[0];
  if (!first) return null;
  const id = typeof first.story.id === "string" ? first.story.id : `#${first.index + 1}`;
  const title = typeof first.story.title === "string" ? first.story.title : "";
  return { id, title };
}

/** The last "Ralph Iteration i of N" in `text`, if any. */
export function lastIteration(text: string): SampleMemory | undefined {
  let found: SampleMemory | undefined;
  for (const match of text.matchAll(ITERATION))
    found = { iteration: Number(match[1]), maxIterations: Number(match[2]) };
  return found;
}

async function readPrdFile(root: string): Promise<{ prd: LoosePrd | null; mtimeMs: number }> {
  const opened = await openWorkspaceFile(root, "scripts/ralph/prd.json", "read");
  if (!opened.ok) return { prd: null, mtimeMs: 0 };
  try {
    const stat = await opened.handle.stat();
    if (stat.size > 4 * 1024 * 1024) return { prd: null, mtimeMs: stat.mtimeMs };
    const text = await opened.handle.readFile("utf8");
    let parsed: LoosePrd | null = null;
    try {
      const checked = LoosePrdSchema.safeParse(JSON.parse(text));
      parsed = checked.success ? checked.data : null;
    } catch {
      parsed = null; // Read while Ralph rewrote it: the next sample sees it whole.
    }
    return { prd: parsed, mtimeMs: stat.mtimeMs };
  } finally {
    await opened.handle.close();
  }
}

/** The newest `ralph-*.log` (this run's log: planbot opens a new one per run), its end and modification time. */
async function readNewestLog(root: string, logsDir: string, deep: boolean): Promise<{ text: string; mtimeMs: number }> {
  const none = { text: "", mtimeMs: 0 };
  if (workspacePathProblem(root, "scripts/ralph/logs")) return none;
  const names = await readdir(logsDir).catch(() => [] as string[]);
  let newest: { text: string; mtimeMs: number } | undefined;
  for (const name of names.filter((candidate) => /^ralph-.*\.log$/.test(candidate))) {
    const opened = await openWorkspaceFile(root, `scripts/ralph/logs/${name}`, "read");
    if (!opened.ok) continue;
    try {
      const stat = await opened.handle.stat();
      if (newest && stat.mtimeMs <= newest.mtimeMs) continue;
      let text = await readTail(opened.handle, stat.size, TAIL_BYTES);
      if (deep && !lastIteration(text) && stat.size > TAIL_BYTES)
        text = await readTail(opened.handle, stat.size, DEEP_TAIL_BYTES);
      newest = { text, mtimeMs: stat.mtimeMs };
    } finally {
      await opened.handle.close();
    }
  }
  return newest ?? none;
}

async function readTail(handle: import("node:fs/promises").FileHandle, size: number, bytes: number): Promise<string> {
  const length = Math.min(size, bytes);
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, size - length);
  return buffer.subarray(0, bytesRead).toString("utf8");
}

/** Commits on the workspace's HEAD since the run's start head, newest subject first; none without one. */
async function commitsSince(
  root: string,
  entry: ProjectEntry,
  env: NodeJS.ProcessEnv,
): Promise<{ count: number; last: string | null }> {
  const start = typeof entry.started_head === "string" ? entry.started_head : "";
  if (!/^[0-9a-f]{7,64}$/.test(start)) return { count: 0, last: null };
  const options = { cwd: root, env: gitEnv(env, dirname(root)), timeoutMs: 10_000 };
  const counted = await runGit(["rev-list", "--count", `${start}..HEAD`], options);
  const count = counted.ok ? Number.parseInt(counted.stdout, 10) || 0 : 0;
  if (count === 0) return { count: 0, last: null };
  const subject = await runGit(["log", "-1", "--format=%s", "HEAD"], options);
  return { count, last: subject.ok ? subject.stdout.trim() || null : null };
}
