import type { Result } from "../projects/result.ts";

/**
 * One moment of a Ralph run as the chats show it (docs/architecture.md, "Live progress"). The local executor
 * samples its own runs; the queue turns a remote worker's job progress into the same shape; the notify layer
 * keeps one progress message per run and chat edited in place from these. Every field is plain data so a
 * snapshot can be stored and compared (an edit is only sent when what a person would read changed).
 */
export interface RunProgress {
  slug: string;
  /** Identifies this run of the project (the ISO time it started); progress messages are keyed by slug + runId. */
  runId: string;
  startedAt: string;
  storiesDone: number;
  storiesTotal: number;
  /** The story Ralph works on now: the first one not passing, by priority. */
  currentStory: { id: string; title: string } | null;
  /** Ralph's iteration (1-based), 0 before the first one began. */
  iteration: number;
  maxIterations: number | null;
  /** Subject of the newest commit on the run's branch since it started, if any. */
  lastCommit: string | null;
  /** Commits on the branch since the run started. */
  commits: number;
  /** What the run has cost so far in US dollars, when it can be known; null otherwise. */
  costUsd: number | null;
  /** The worker running it (remote runs), null for a local run. */
  worker: string | null;
  /** When prd.json or Ralph's log last changed (ISO): the run guard's stall notice counts from here. */
  lastActivityAt: string;
}

/** Receives progress snapshots; must not throw or block (the notify layer queues its own work). */
export type RunProgressListener = (progress: RunProgress) => void;

/** Why a run is stopped before Ralph ends on its own. */
export type StopReason = "cancelled" | "time_limit";

/** Stopping one project's run: kills its process group (local) or asks its worker to (queue). */
export interface RunStopper {
  /** `stopped: false` when the project had no run to stop. Resolves once the run's outcome is recorded. */
  stopRun(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>>;
}
