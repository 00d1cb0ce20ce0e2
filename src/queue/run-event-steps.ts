import { Job, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { RunProgressListener } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import { type RemoteRunTimes, toRunProgress } from "./remote-progress.ts";
import { requestCancel } from "./run-cancel.ts";
import { type RunJobProgress, type RunJobResult, slugOfJob } from "./run-job.ts";
import type { RunRecorder } from "./run-record.ts";
import { failedResult } from "./run-results.ts";

/** How a run ended, as seen by the bot (recorded by this process or by another planbot). */
export interface RunEnd {
  jobId: string;
  slug: string;
  result: RunJobResult;
  /** True when this process stored it. */
  recorded: boolean;
}

/** What recording the queue's events needs. */
export interface RunEventDeps {
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
}

/** What each event of one job records; the caller runs a job's steps in order. */
export interface RunEventSteps {
  /** A worker's progress sample (its first, `preparing`, starts the run). */
  progress(jobId: string, sample: RunJobProgress): Promise<void>;
  /** BullMQ saw the job's worker stop answering. */
  stalled(jobId: string): Promise<void>;
  /** BullMQ failed the job (its worker threw, or it stalled too often). */
  failed(jobId: string, reason: string): Promise<void>;
  /** The job ended: records its result and tells every `onEnd` listener. */
  finish(jobId: string, result: RunJobResult): Promise<RunEnd>;
}

/** Creates the steps over the recorder; `ended` hears every run end, recorded by this process or not. */
export function createRunEventSteps(deps: RunEventDeps, ended: (end: RunEnd) => void): RunEventSteps {
  const now = () => deps.clock.now().toISOString();

  const publish = (slug: string, sample: RunJobProgress, times: RemoteRunTimes | null) => {
    if (!deps.onProgress || !times) return;
    try {
      deps.onProgress(toRunProgress(slug, sample, times));
    } catch (error) {
      deps.log.warn({ slug, err: error }, "a progress listener threw");
    }
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
    ended(end);
    return end;
  }

  async function progress(jobId: string, sample: RunJobProgress): Promise<void> {
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
  }

  // BullMQ fails a job that stalled too often only when a worker next takes it (it marks it `defa` and
  // puts it back to wait): with no worker alive it would wait forever. The bot records the failure itself
  // and removes the job, so no worker starts a run already reported as failed.
  async function stalled(jobId: string): Promise<void> {
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
  }

  async function failed(jobId: string, reason: string): Promise<void> {
    const job = await Job.fromId(deps.queue, jobId).catch(() => undefined);
    await finish(jobId, failedResult(reason, job?.processedBy ?? null));
  }

  return { progress, stalled, failed, finish };
}
