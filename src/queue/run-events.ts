import { Job, QueueEvents, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { RunProgressListener, StopReason } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { RunRecorder } from "./run-record.ts";
import { cancelKey, slugOfJob, type RunJobProgress, type RunJobResult } from "./run-job.ts";
import { toRunProgress, type RemoteRunTimes } from "./remote-progress.ts";
import { redisConnection, RUN_QUEUE_NAME } from "./queue-settings.ts";

/** How a run ended, as seen by the bot (recorded by this process or by another planbot). */
export interface RunEnd {
  jobId: string;
  slug: string;
  result: RunJobResult;
  /** True when this process stored it. */
  recorded: boolean;
}

/** Turns a job that BullMQ failed (a worker lost, or an error thrown by the worker) into a run result. */
export function failedResult(reason: string, worker: string | null): RunJobResult {
  const stalled = /stalled/i.test(reason);
  const error = stalled
    ? `the worker running it stopped answering (killed, crashed or cut off from Redis), so its job lock expired: ${reason}`
    : `the worker failed: ${reason}`;
  return {
    outcome: "failed",
    summary: `failed (${error})`,
    error,
    worker: worker ?? "",
    exitCode: null,
    branch: null,
    prd: null,
    delivery: null,
  };
}

/** The result of a run that ended without a worker's outcome: removed while waiting, or no longer waited for. */
export function cancelledResult(summary: string): RunJobResult {
  return {
    outcome: "cancelled",
    summary,
    error: null,
    worker: "",
    exitCode: null,
    branch: null,
    prd: null,
    delivery: null,
  };
}

/**
 * The bot's side of the queue: consumes BullMQ's QueueEvents stream (progress, completed, failed) and
 * records each step through the {@link RunRecorder} — the bot stays the only writer of the store, and the
 * change watcher and notifier see a queued run exactly as a local one.
 */
export interface RunEventConsumer {
  /** Records a finished job found by looking (start-up reconcile); the same path as the completed/failed events. */
  finish(jobId: string, result: RunJobResult): Promise<RunEnd>;
  onEnd(listener: (end: RunEnd) => void): () => void;
  /** Resolves once the events connection is subscribed (events before that are found by reconcile). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Starts consuming events of the run queue. */
export function consumeRunEvents(deps: {
  url: string;
  queue: Queue;
  redis: Redis;
  recorder: RunRecorder;
  clock: Clock;
  log: Logger;
  /**
   * Completes a worker's result before it is recorded (the bot's pull request step); called only while the
   * run is still open, so a result recorded already is not delivered again.
   */
  complete?: ((slug: string, jobId: string, result: RunJobResult) => Promise<RunJobResult>) | undefined;
  /** Hears every current progress sample as a {@link RunProgress}, the same shape a local run produces. */
  onProgress?: RunProgressListener | undefined;
}): RunEventConsumer {
  // BullMQ leaves a connection it was given open on close(): it is ours to end.
  const eventsConnection = redisConnection(deps.url);
  const events = new QueueEvents(RUN_QUEUE_NAME, { connection: eventsConnection });
  const listeners = new Set<(end: RunEnd) => void>();
  const now = () => deps.clock.now().toISOString();
  // Events of one job are handled in order (progress before completion).
  const chains = new Map<string, Promise<unknown>>();
  const serial = (jobId: string, work: () => Promise<unknown>) => {
    const next = (chains.get(jobId) ?? Promise.resolve())
      .then(work, work)
      .catch((error: unknown) => deps.log.error({ err: error, jobId }, "queue event handling failed"));
    chains.set(jobId, next);
    void next.finally(() => chains.get(jobId) === next && chains.delete(jobId));
    return next;
  };

  async function finish(jobId: string, result: RunJobResult): Promise<RunEnd> {
    const slug = slugOfJob(jobId);
    if (deps.complete) result = await deps.complete(slug, jobId, result);
    const recorded = await deps.recorder.finished(slug, jobId, result, now());
    if (recorded)
      deps.log.info(
        { slug, jobId, worker: result.worker, outcome: result.outcome },
        `${slug}: queued run ended: ${result.summary}`,
      );
    const end = { jobId, slug, result, recorded };
    for (const listener of listeners) listener(end);
    return end;
  }

  const publish = (slug: string, sample: RunJobProgress, times: RemoteRunTimes | null) => {
    if (!deps.onProgress || !times) return;
    try {
      deps.onProgress(toRunProgress(slug, sample, times));
    } catch (error) {
      deps.log.warn({ slug, err: error }, "a progress listener threw");
    }
  };

  events.on("error", (error) => deps.log.warn({ err: error }, "queue events: Redis connection problem"));
  events.on("progress", ({ jobId, data }) => {
    const sample = data as RunJobProgress;
    if (!sample || typeof sample !== "object" || typeof sample.worker !== "string") return;
    void serial(jobId, async () => {
      const slug = slugOfJob(jobId);
      if (sample.phase === "preparing") {
        const started = await deps.recorder.started(slug, jobId, sample.worker, now());
        if (started === "withdrawn") await requestCancel(deps.queue, deps.redis, jobId);
        else if (started === "started") {
          deps.log.info({ slug, jobId, worker: sample.worker }, `${slug}: worker ${sample.worker} took the run`);
          publish(slug, sample, await deps.recorder.progress(slug, jobId, sample, now()));
        }
        return;
      }
      // Times on this machine's clock, taken when the sample arrived (the worker's clock may be off).
      const times = await deps.recorder.progress(slug, jobId, sample, now());
      if (times) publish(slug, sample, times);
      // The worker's "preparing" sample was missed (this planbot was restarting): the run started all the same.
      else {
        const started = await deps.recorder.started(slug, jobId, sample.worker, now());
        if (started === "withdrawn") await requestCancel(deps.queue, deps.redis, jobId);
        else if (started === "started") publish(slug, sample, await deps.recorder.progress(slug, jobId, sample, now()));
      }
    });
  });
  events.on("completed", ({ jobId, returnvalue }) => {
    void serial(jobId, () => finish(jobId, normalise(returnvalue)));
  });
  // BullMQ fails a job that stalled too often only when a worker next takes it (it marks it `defa` and
  // puts it back to wait): with no worker alive it would wait forever. The bot records the failure itself
  // and removes the job, so no worker starts a run already reported as failed.
  events.on("stalled", ({ jobId }) => {
    void serial(jobId, async () => {
      const job = await Job.fromId(deps.queue, jobId).catch(() => undefined);
      if (!job) return;
      if (!job.deferredFailure) {
        const slug = slugOfJob(jobId);
        const was = job.processedBy ? `worker ${job.processedBy}` : "its worker";
        await deps.recorder.orphaned(slug, jobId, `${was} stopped answering; the run waits for another worker`);
        deps.log.warn({ slug, jobId, worker: job.processedBy }, `${slug}: ${was} stopped answering; run put back`);
        return;
      }
      await finish(jobId, failedResult(job.deferredFailure, job.processedBy ?? null));
      await job.remove().catch(() => undefined);
    });
  });
  events.on("failed", ({ jobId, failedReason }) => {
    void serial(jobId, async () => {
      const job = await Job.fromId(deps.queue, jobId).catch(() => undefined);
      await finish(jobId, failedResult(failedReason, job?.processedBy ?? null));
    });
  });

  return {
    finish: (jobId, result) => serial(jobId, () => finish(jobId, result)) as Promise<RunEnd>,
    onEnd(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => events.waitUntilReady().then(() => undefined),
    async close() {
      await Promise.allSettled([...chains.values()]);
      await events.close();
      eventsConnection.disconnect();
    },
  };
}

/** A worker's return value, or a failed result when it is not one. */
export function normalise(value: unknown): RunJobResult {
  const result = (typeof value === "string" ? safeJson(value) : value) as RunJobResult | undefined;
  if (result && typeof result === "object" && typeof result.outcome === "string") return result;
  return failedResult("the worker returned no outcome", null);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Removes a waiting job, or asks the worker of an active one to stop Ralph (it polls the cancel key). */
export async function requestCancel(
  queue: Queue,
  redis: Redis,
  jobId: string,
  reason: StopReason = "cancelled",
): Promise<"removed" | "signalled" | "gone"> {
  const job = await Job.fromId(queue, jobId);
  if (!job) return "gone";
  const state = await job.getState();
  if (state === "waiting" || state === "delayed" || state === "prioritized") {
    try {
      await job.remove();
      return "removed";
    } catch {
      // Taken by a worker meanwhile: signal it below.
    }
  }
  if (state === "completed" || state === "failed") return "gone";
  // The value says why: the worker words the run's outcome from it.
  await redis.set(cancelKey(jobId), reason, "EX", 7 * 24 * 3600);
  return "signalled";
}
