import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProjectEntry } from "../projects/schemas.ts";

/** The entry field where the bot records a queued run (unknown to other tools; survives their rewrites). */
export const QUEUE_RUN_FIELD = "queue_run";

/** A run on the queue as recorded on its entry. `state` queued/running means the run is still open. */
export interface QueueRun {
  job_id: string;
  state: "queued" | "running" | "complete" | "blocked" | "failed" | "cancelled" | "refused";
  worker: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: string | null;
  error: string | null;
  /** A person asked for this run (`/run`); absent for a scheduled or `planbot execute` run. */
  asked?: boolean;
  /** The run's commits on its worker, when it ended: count and newest subjects (for the run report). */
  commits?: { count: number; subjects: string[] } | null;
  progress?:
    | {
        stories_done: number;
        stories_total: number;
        iteration: number;
        commits: number;
        log_tail: string;
        current_story?: { id: string; title: string } | null;
        max_iterations?: number | null;
        last_commit?: string | null;
        /** When a sample last brought new activity, on the bot's clock (the stall notice counts from it). */
        last_activity_at?: string | null;
        /** A digest of what that sample showed (see activityAt): a sample that shows the same is no activity. */
        activity_key?: string | null;
        /** The worker's own `lastActivityAt` (its clock, which may be off): for information only. */
        worker_activity_at?: string | null;
        /** The worker's start time of this attempt: the run's id in progress messages. */
        run_id?: string | null;
      }
    | undefined;
}

/** The entry's queue run, if it has one. */
export function readQueueRun(entry: ProjectEntry | undefined): QueueRun | undefined {
  const value = (entry as Record<string, unknown> | undefined)?.[QUEUE_RUN_FIELD];
  if (!value || typeof value !== "object") return undefined;
  const run = value as QueueRun;
  return typeof run.job_id === "string" && typeof run.state === "string" ? run : undefined;
}

/** True while the run waits for a worker or runs on one. */
export function isOpen(run: QueueRun | undefined): run is QueueRun {
  return run?.state === "queued" || run?.state === "running";
}

/** Stores `run` as the entry's queue run (the caller holds the store's lock). */
export function setQueueRun(entry: ProjectEntry, run: QueueRun): void {
  (entry as Record<string, unknown>)[QUEUE_RUN_FIELD] = run;
}

/** What recording a queued run needs: the store's locked update, and the workspace for the worker's prd.json. */
export interface RunRecordDeps {
  lifecycle: Lifecycle;
  workspaceDir: string;
}
