import { Job, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ProjectEntry } from "../projects/schemas.ts";
import { requestCancel } from "./run-cancel.ts";
import { cancelledResult, failedResult, normalise } from "./run-results.ts";
import type { RunJobResult } from "./run-job.ts";
import type { QueueRun } from "./queue-run.ts";

/** How long a queued run whose job is not (yet) in Redis is given before it counts as lost. */
const ADD_GRACE_MS = 60_000;

/** What looking up one open run needs. */
export interface RunLookup {
  queue: Queue;
  connection: Redis;
  /** Bounds every Redis call: a lookup never hangs on an unreachable Redis. */
  bounded<T>(work: Promise<T>): Promise<T>;
  /** True while this process is adding the job (it is not lost, just not there yet). */
  isAdding(jobId: string): boolean;
}

/**
 * How an open queued run stands in Redis, for the start-up (and on-change) reconcile: the result to record
 * when its job ended while no planbot listened, was lost, stalled too often, or was removed because the
 * project was cancelled or unapproved meanwhile; undefined while it simply waits or runs. Throws when
 * Redis does not answer.
 */
export async function endedRunResult(
  lookup: RunLookup,
  entry: ProjectEntry,
  run: QueueRun,
): Promise<RunJobResult | undefined> {
  // The state first, then the job: a job read first and finished before its state is asked would count as
  // finished with the running job's fields, which carry no result yet. States only move on, and a finished
  // job's fields are written in the same Redis script that finishes it.
  const state = await lookup.bounded(lookup.queue.getJobState(run.job_id));
  const job = state === "unknown" ? undefined : await lookup.bounded(Job.fromId(lookup.queue, run.job_id));
  if (!job) {
    // A job being added right now (by this or another planbot process) is not lost.
    if (lookup.isAdding(run.job_id) || Date.now() - Date.parse(run.queued_at) < ADD_GRACE_MS) return undefined;
    return failedResult(
      "its job is no longer in the queue (Redis lost it: was it restarted without persistence?)",
      run.worker,
    );
  }
  if (state === "completed") return normalise(job.returnvalue);
  if (state === "failed") return failedResult(job.failedReason, job.processedBy ?? run.worker);
  if (job.deferredFailure) {
    // Stalled too often while no planbot listened (see run-event-steps.ts): failed, and no worker starts it.
    await job.remove().catch(() => undefined);
    return failedResult(job.deferredFailure, job.processedBy ?? run.worker);
  }
  if (withdrawn(entry, run.state)) {
    const cancelled = await requestCancel(lookup.queue, lookup.connection, run.job_id);
    if (cancelled === "removed") return cancelledResult("cancelled before a worker took it");
  }
  return undefined;
}

/** True when the project was cancelled or unapproved while its run waited or ran. */
function withdrawn(entry: ProjectEntry, state: string): boolean {
  const status = (entry.status ?? "").toLowerCase();
  return state === "queued" ? status !== "approved" : status !== "running";
}
