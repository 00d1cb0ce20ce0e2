import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { dirname } from "node:path";
import { gitEnv, runGit } from "../execute/git.ts";
import { readLogTail } from "../execute/outcome.ts";
import type { RunPlan } from "../execute/run-plan.ts";
import { storyProgress } from "../projects/derive-status.ts";
import { LoosePrdSchema, type LoosePrd } from "../projects/schemas.ts";
import type { RunJobProgress } from "./run-job.ts";

/** What the worker samples for one run. */
export interface ProgressSource {
  plan: RunPlan;
  paths: { prd: string };
  logPath: string;
  /** HEAD when the workspace was prepared: commits after it are the run's. */
  startHead: string;
  worker: string;
  /** When the worker began the run (ISO). */
  startedAt: string;
  env: NodeJS.ProcessEnv;
}

/** Samples one run on this worker; remembers the iteration so a banner scrolled out of the log's tail is kept. */
export interface ProgressSampler {
  /** `fresh`: look at git even when nothing changed (the last sample, after Ralph exited). */
  sample(fresh?: boolean): Promise<RunJobProgress>;
}

/** Ralph prints `Ralph Iteration <i> of <max>` as each iteration begins (snarktank/ralph's ralph.sh). */
const ITERATION = /Iteration (\d+) of (\d+)/g;

/**
 * Builds samples of a run on this worker: stories k/N and the current story from prd.json, the iteration
 * from Ralph's banner in its log, the commits on the branch since the run began (and the newest one's
 * subject), when prd.json or the log last changed, and the last lines of the log.
 */
export function createProgressSampler(source: ProgressSource): ProgressSampler {
  let iteration = 0;
  let maxIterations: number | null = null;
  // git runs only when prd.json or the log changed since the last look: while Ralph's agent waits on the
  // model (most of a run) a sample costs two stats and two reads, no process.
  let seenActivity = "";
  let commits: string[] = [];
  return {
    async sample(fresh = false) {
      const prd = await readPlainFile(source.paths.prd);
      const parsed = parsePrd(prd);
      const progress = storyProgress(parsed);
      const tail = await readLogTail(source.logPath, 400);
      for (const match of tail.matchAll(ITERATION)) {
        iteration = Math.max(iteration, Number(match[1]));
        maxIterations = Number(match[2]);
      }
      const lastActivityAt = await lastChange([source.paths.prd, source.logPath], source.startedAt);
      if (fresh || lastActivityAt !== seenActivity) {
        seenActivity = lastActivityAt;
        const subjects = await runGit(["log", "--format=%s", `${source.startHead}..HEAD`], {
          cwd: source.plan.root,
          env: gitEnv(source.env, dirname(source.plan.root)),
        });
        if (subjects.ok) commits = subjects.stdout.split("\n").filter((line) => line.trim() !== "");
      }
      return {
        phase: "running",
        worker: source.worker,
        startedAt: source.startedAt,
        storiesDone: progress.done,
        storiesTotal: progress.total,
        currentStory: currentStory(parsed),
        iteration,
        maxIterations,
        commits: commits.length,
        lastCommit: commits[0]?.trim() ?? null,
        recentCommits: commits.slice(0, 3).map((subject) => subject.trim()),
        lastActivityAt,
        logTail: tail.split("\n").slice(-10).join("\n"),
        prd,
      };
    },
  };
}

/** The story Ralph works on: the first not passing, lowest priority number first (file order breaks ties). */
export function currentStory(prd: LoosePrd | null): { id: string; title: string } | null {
  const open = (prd?.userStories ?? [])
    .map((story, index) => ({ story, index }))
    .filter(({ story }) => story.passes !== true);
  const priority = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : Infinity);
  open.sort((a, b) => priority(a.story.priority) - priority(b.story.priority) || a.index - b.index);
  const first = open[0];
  if (!first) return null;
  const id = typeof first.story.id === "string" ? first.story.id : `#${first.index + 1}`;
  return { id, title: typeof first.story.title === "string" ? first.story.title : id };
}

/** prd.json as read for status (tolerant: Ralph and people edit it by hand), or null when unreadable. */
function parsePrd(text: string | null): LoosePrd | null {
  if (!text) return null;
  try {
    const parsed = LoosePrdSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A workspace file's text, never through a link (the repository's content decides nothing here). */
async function readPlainFile(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    return await handle.readFile("utf8");
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** The newest modification time of `paths` (ISO), or `fallback` when none can be read. */
async function lastChange(paths: string[], fallback: string): Promise<string> {
  let newest = Date.parse(fallback);
  for (const path of paths) {
    const stat = await lstat(path).catch(() => undefined);
    if (stat?.isFile()) newest = Math.max(newest, stat.mtimeMs);
  }
  return new Date(Number.isFinite(newest) ? newest : Date.now()).toISOString();
}
