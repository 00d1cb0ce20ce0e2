import { notApprovedFailure } from "../execute/not-runnable.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { fail, type Result } from "../projects/result.ts";
import { clearRunRefusal } from "../projects/run-refusal-field.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { isOpen, QUEUE_RUN_FIELD, readQueueRun, type RunRecordDeps, setQueueRun } from "./queue-run.ts";
import type { RemoteRunTimes } from "./remote-progress.ts";
import { recordFinished } from "./run-finish-record.ts";
import type { RunJobProgress, RunJobResult } from "./run-job.ts";
import { recordProgress } from "./run-progress-record.ts";

/**
 * Everything the bot writes about queued runs, always through the store's locked mutation and always
 * conditioned on the entry still holding this job: two planbot processes consuming the same events
 * (`planbot start` and `planbot execute`) record each step once, and so notify once.
 */
export interface RunRecorder {
  /** Marks an approved project as queued under `jobId`; fails when it already has an open run. */
  queued(
    slug: string,
    jobId: string,
    at: string,
    isRunningLocally: (entry: ProjectEntry) => boolean,
    asked?: boolean,
  ): Promise<Result<{ entry: ProjectEntry }>>;
  /** Takes back a queued mark whose job never reached Redis. */
  unqueued(slug: string, jobId: string): Promise<void>;
  /** A worker started the run: the project turns running. `withdrawn` when it was cancelled or unapproved meanwhile. */
  started(slug: string, jobId: string, worker: string, at: string): Promise<"started" | "withdrawn" | "stale">;
  /**
   * Stores a progress sample received at `at` (and the worker's prd.json in this machine's workspace, so
   * status and dashboard see the stories); resolves with the run's times on the bot's clock, or null when
   * the sample is not of the project's current running run.
   */
  progress(slug: string, jobId: string, sample: RunJobProgress, at: string): Promise<RemoteRunTimes | null>;
  /** The run's worker stopped answering and the run waits for another one (QUEUE_STALL_RETRIES): no worker now. */
  orphaned(slug: string, jobId: string, error: string): Promise<void>;
  /** Records how the run ended; true when this call recorded it. */
  finished(slug: string, jobId: string, result: RunJobResult, at: string): Promise<boolean>;
}

/** Creates the recorder over the lifecycle's locked update. */
export function createRunRecorder(deps: RunRecordDeps): RunRecorder {
  const { lifecycle } = deps;
  return {
    queued: (slug, jobId, at, isRunningLocally, asked = false) =>
      markQueued(lifecycle, slug, jobId, at, isRunningLocally, asked),
    async unqueued(slug, jobId) {
      await lifecycle.update(slug, (entry) => {
        if (readQueueRun(entry)?.job_id !== jobId) return fail("stale", "changed meanwhile");
        delete (entry as Record<string, unknown>)[QUEUE_RUN_FIELD];
      });
    },
    started: (slug, jobId, worker, at) => markStarted(lifecycle, slug, jobId, worker, at),
    progress: (slug, jobId, sample, at) => recordProgress(deps, slug, jobId, sample, at),
    async orphaned(slug, jobId, error) {
      await lifecycle.update(slug, (entry) => {
        const run = readQueueRun(entry);
        if (run?.job_id !== jobId || run.state !== "running") return fail("stale", "not this run");
        setQueueRun(entry, { ...run, worker: null, error });
      });
    },
    finished: (slug, jobId, result, at) => recordFinished(deps, slug, jobId, result, at),
  };
}

/** Marks an approved project as queued under `jobId`; fails when it already has an open run or runs locally. */
async function markQueued(
  lifecycle: Lifecycle,
  slug: string,
  jobId: string,
  at: string,
  isRunningLocally: (entry: ProjectEntry) => boolean,
  asked: boolean,
): Promise<Result<{ entry: ProjectEntry }>> {
  const stored = await lifecycle.update(slug, (entry) => {
    const open = readQueueRun(entry);
    if (isOpen(open))
      return fail(
        "invalid_state",
        `"${entry.name}" is already ${open.state === "queued" ? "waiting in the job queue" : `running on worker ${open.worker ?? "?"}`}.`,
        { details: { slug: entry.name, reason: open.state, next: "status" } },
      );
    if (isRunningLocally(entry))
      return fail("invalid_state", `"${entry.name}" is already running (PID ${entry.pid}).`, {
        details: { slug: entry.name, reason: "running", next: "status" },
      });
    if ((entry.status ?? "").toLowerCase() !== "approved") {
      return notApprovedFailure(entry);
    }
    setQueueRun(entry, {
      job_id: jobId,
      state: "queued",
      worker: null,
      queued_at: at,
      started_at: null,
      finished_at: null,
      outcome: null,
      error: null,
      ...(asked ? { asked: true } : {}),
    });
  });
  return stored.ok ? { ok: true, entry: stored.entry } : stored;
}

/**
 * A worker started the job's run: the project turns running (a retry after a stalled worker keeps the run
 * and takes the new worker); `withdrawn` when it was cancelled or unapproved meanwhile.
 */
async function markStarted(
  lifecycle: Lifecycle,
  slug: string,
  jobId: string,
  worker: string,
  at: string,
): Promise<"started" | "withdrawn" | "stale"> {
  let outcome: "started" | "withdrawn" | "stale" = "stale";
  await lifecycle.update(slug, (entry) => {
    const run = readQueueRun(entry);
    if (run?.job_id !== jobId || !isOpen(run)) return fail("stale", "not this run");
    if (run.state === "running") {
      // A retry after a stalled worker: same run, another worker.
      setQueueRun(entry, { ...run, worker, error: null });
      outcome = "started";
      return;
    }
    if ((entry.status ?? "").toLowerCase() !== "approved") {
      setQueueRun(entry, {
        ...run,
        state: "cancelled",
        finished_at: at,
        outcome: "cancelled",
        error: `${entry.status ?? "changed"} before a worker started it`,
      });
      outcome = "withdrawn";
      return;
    }
    entry.status = "running";
    entry.pid = null;
    entry.started_at = at;
    entry.error = null;
    clearRunRefusal(entry);
    setQueueRun(entry, { ...run, state: "running", worker, started_at: at });
    outcome = "started";
  });
  return outcome;
}
