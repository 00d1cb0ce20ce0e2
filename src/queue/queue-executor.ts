import { notApprovedFailure } from "../execute/not-runnable.ts";
import { readFile } from "node:fs/promises";
import { Queue } from "bullmq";
import { approvedInOrder, type Executor, type RunReport } from "../execute/executor.ts";
import { describePlan, planRun, type ExecutorConfig } from "../execute/run-plan.ts";
import type { RunProgressListener, RunStopper, StopReason } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { procProbe, type ProcessProbe } from "../projects/process-probe.ts";
import { findProject, type ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { validateSlug } from "../projects/validation.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { redactRedisUrl, redisConnection, RUN_QUEUE_NAME, type QueueSettings } from "./queue-settings.ts";
import { cancelledResult, consumeRunEvents, requestCancel, type RunEnd } from "./run-events.ts";
import { runJobId, type RunJobData, type RunJobResult } from "./run-job.ts";
import { createRunRecorder, isOpen, readQueueRun } from "./run-record.ts";
import { remotePullRequestStep } from "./remote-delivery.ts";
import { endedRunResult, type RunLookup } from "./queued-run-state.ts";
import { startStalledCheck } from "./stalled-check.ts";
import { startRemoteHeartbeat } from "./remote-heartbeat.ts";

/** Dependencies of {@link createQueueExecutor}: the executor's, plus the queue settings. */
export interface QueueExecutorDeps {
  store: ProjectStore;
  lifecycle: Lifecycle;
  config: ExecutorConfig;
  queue: QueueSettings;
  clock: Clock;
  log: Logger;
  probe?: ProcessProbe;
  /** How long an enqueue waits for Redis before `/run` says it is unreachable (default 3000 ms). */
  enqueueTimeoutMs?: number;
  /** How long stopRun waits for the worker to report the stopped run (default 3 × QUEUE_LOCK_MS + 15 s). */
  stopWaitMs?: number;
  /** Hears each remote run's progress, the same {@link RunProgress} shape a local run produces. */
  onProgress?: RunProgressListener | undefined;
  /** How often running remote runs' last progress is published again while their workers are silent (default 3000 ms). */
  heartbeatMs?: number;
}

/** The queue executor: the {@link Executor} the bot uses when PLANBOT_QUEUE_URL is set. */
export interface QueueExecutor extends Executor {
  /** Stops a project's remote run (always implemented here, optional on the port). */
  stopRun: RunStopper["stopRun"];
  /** Cancels the job of a project that was cancelled or unapproved while queued or running. */
  watch(watcher: ChangeWatcher): () => void;
}

/**
 * Puts runs on the BullMQ queue instead of starting Ralph here; `planbot worker` processes take them.
 * The store is claimed first (a project with an open queued run is never queued twice), then the job is
 * added; events come back through {@link consumeRunEvents}, which records them.
 */
export function createQueueExecutor(deps: QueueExecutorDeps): QueueExecutor {
  const probe = deps.probe ?? procProbe;
  const timeoutMs = deps.enqueueTimeoutMs ?? 3000;
  const connection = redisConnection(deps.queue.url, { enableOfflineQueue: true });
  const queue = new Queue<RunJobData>(RUN_QUEUE_NAME, { connection });
  queue.on("error", (error) => deps.log.warn({ err: error }, "job queue: Redis connection problem"));
  const recorder = createRunRecorder({ lifecycle: deps.lifecycle, workspaceDir: deps.config.workspaceDir });
  const events = consumeRunEvents({
    url: deps.queue.url,
    queue: queue as unknown as Queue,
    redis: connection,
    recorder,
    clock: deps.clock,
    log: deps.log,
    onProgress: deps.onProgress,
    complete: remotePullRequestStep(deps),
  });
  const stalled = startStalledCheck(deps.queue, deps.log);
  const heartbeat = deps.onProgress
    ? startRemoteHeartbeat({
        store: deps.store,
        intervalMs: deps.heartbeatMs ?? 3000,
        listener: deps.onProgress,
        log: deps.log,
      })
    : undefined;
  const where = redactRedisUrl(deps.queue.url);
  const waiting = new Map<string, Set<(end: RunEnd) => void>>();
  const pending = new Set<Promise<unknown>>();
  const adding = new Set<string>();
  let closed = false;
  events.onEnd((end) => {
    for (const resolve of waiting.get(end.jobId) ?? []) resolve(end);
  });

  const unreachable = (why: string) =>
    fail(
      "not_available",
      `The job queue at ${where} is not reachable (${why}), so the run was not queued. Start Redis (or fix PLANBOT_QUEUE_URL) and try again.`,
      { details: { reason: "queue_unavailable", url: where } },
    );

  /** Claims the project in the store and adds its job; the claim is taken back when Redis refuses. */
  async function enqueue(slug: string): Promise<Result<{ jobId: string; entry: ProjectEntry; ahead: number }>> {
    if (connection.status !== "ready") return unreachable(`connection ${connection.status}`);
    const at = deps.clock.now();
    const jobId = runJobId(slug.toLowerCase(), at);
    const claimed = await recorder.queued(
      slug,
      jobId,
      at.toISOString(),
      (entry) => probe.inspect(entry.pid ?? null).alive,
    );
    if (!claimed.ok) return claimed;
    const entry = claimed.entry;
    const paths = workspacePaths(deps.config.workspaceDir, entry.name);
    const data: RunJobData = {
      slug: entry.name,
      repo: entry.repo?.trim() || entry.name,
      branch: entry.branch?.trim() || null,
      base: entry.base_branch?.trim() || "main",
      finalPlan: await readFile(paths.finalPlan, "utf8").catch(() => null),
      prd: await readFile(paths.prd, "utf8").catch(() => null),
      queuedAt: at.toISOString(),
    };
    adding.add(jobId);
    try {
      const added = queue.add("ralph-run", data, {
        jobId,
        attempts: 1,
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
      await withTimeout(added, timeoutMs);
      const ahead = await withTimeout(queue.getWaitingCount(), timeoutMs).catch(() => 1);
      deps.log.info({ slug: entry.name, jobId }, `${entry.name}: queued for a worker`);
      return { ok: true, jobId, entry, ahead: Math.max(0, ahead - 1) };
    } catch (error) {
      await recorder.unqueued(entry.name, jobId);
      return unreachable((error as Error).message);
    } finally {
      adding.delete(jobId);
    }
  }

  /** Resolves when the run's job ended (recorded here or by another planbot process). */
  function awaitEnd(jobId: string): Promise<RunEnd> {
    let resolver: ((end: RunEnd) => void) | undefined;
    const done = new Promise<RunEnd>((resolve) => {
      resolver = resolve;
      const set = waiting.get(jobId) ?? new Set();
      set.add(resolve);
      waiting.set(jobId, set);
    });
    const tracked = done.finally(() => {
      const set = waiting.get(jobId);
      set?.delete(resolver!);
      if (set?.size === 0) waiting.delete(jobId);
    });
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
    return tracked;
  }

  function report(end: RunEnd): RunReport {
    const { result } = end;
    const outcome = result.outcome === "cancelled" ? "skipped" : result.outcome;
    const delivered = result.delivery ? `; ${result.delivery.summary}` : "";
    return {
      slug: end.slug,
      outcome,
      message: `${result.summary}; worker ${result.worker || "unknown"}${result.branch ? `; branch ${result.branch}` : ""}${delivered}`,
      ...(result.error ? { error: result.error } : {}),
      exitCode: result.exitCode,
    };
  }

  async function runOnce(
    options: { slug?: string | undefined; dryRun?: boolean | undefined } = {},
  ): Promise<Result<{ runs: RunReport[] }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    let candidates: ProjectEntry[];
    const runs: RunReport[] = [];
    if (options.slug !== undefined) {
      const problem = validateSlug(options.slug);
      if (problem) return fail("invalid_slug", problem);
      const entry = findProject(read.file, options.slug);
      if (!entry)
        return fail("not_found", `No project named "${options.slug}". See the list with: planbot projects list`, {
          details: { slug: options.slug },
        });
      if (!isOpen(readQueueRun(entry)) && (entry.status ?? "").toLowerCase() !== "approved") {
        return notApprovedFailure(entry);
      }
      candidates = [entry];
    } else candidates = approvedInOrder(read.file.projects ?? []);
    if (options.dryRun) {
      for (const entry of candidates) {
        const planned = planRun(entry, deps.config);
        runs.push(
          planned.ok
            ? {
                slug: entry.name,
                outcome: "dry-run",
                message: `would queue on ${where} for a worker: ${describePlan(planned.plan)} (on the worker's disk)`,
                plan: planned.plan,
              }
            : {
                slug: entry.name,
                outcome: "failed",
                message: `would fail: ${planned.message}`,
                error: planned.message,
              },
        );
      }
      return { ok: true, runs };
    }
    if (closed) return fail("execute_failed", "The executor is stopped.");
    await events.ready();
    const ends: Promise<RunReport>[] = [];
    for (const entry of candidates) {
      const queued = await enqueue(entry.name);
      if (!queued.ok) {
        if (queued.details?.reason === "queue_unavailable") return queued;
        runs.push({ slug: entry.name, outcome: "skipped", message: `skipped: ${queued.message}` });
        continue;
      }
      ends.push(awaitEnd(queued.jobId).then(report));
    }
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      runs.push(...(await Promise.all(ends)));
    } finally {
      clearInterval(keepAlive);
    }
    return { ok: true, runs };
  }

  async function runNow(slug: string): Promise<Result<{ message: string }>> {
    const problem = validateSlug(slug);
    if (problem) return fail("invalid_slug", problem);
    if (closed) return fail("execute_failed", "The executor is stopped.");
    const queued = await enqueue(slug);
    if (!queued.ok) return queued;
    const { entry, ahead } = queued;
    const branch = entry.branch?.trim() || "its branch";
    return {
      ok: true,
      message: `Queued Ralph for ${entry.name} (${branch}) on the job queue: a planbot worker picks it up${ahead > 0 ? ` after ${ahead} waiting run${ahead === 1 ? "" : "s"}` : " next"}. You will hear when it finishes.`,
    };
  }

  /** Records runs whose job ended while no planbot listened, and cancels jobs of withdrawn projects. */
  const lookup: RunLookup = {
    queue: queue as unknown as Queue,
    connection,
    bounded: (work) => withTimeout(work, timeoutMs),
    isAdding: (jobId) => adding.has(jobId),
  };
  async function reconcileFinishedRuns(): Promise<Result<{ recorded: RunReport[] }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    const recorded: RunReport[] = [];
    for (const entry of read.file.projects ?? []) {
      const run = readQueueRun(entry);
      if (!isOpen(run)) continue;
      let result: RunJobResult | undefined;
      try {
        result = await endedRunResult(lookup, entry, run);
      } catch (error) {
        deps.log.warn({ slug: entry.name, err: error }, "could not look up a queued run");
        continue;
      }
      if (!result) continue;
      const end = await events.finish(run.job_id, result);
      if (end.recorded) recorded.push(report(end));
    }
    return { ok: true, recorded };
  }

  /**
   * Stops a project's remote run: a waiting job is removed, a running one's worker is asked (the cancel key
   * it polls) to stop Ralph's process group. Resolves once the outcome is recorded — or, when the worker
   * does not answer (dead, cut off), says so: its job lock then expires and the run is failed.
   */
  async function stopRun(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>> {
    const problem = validateSlug(slug);
    if (problem) return fail("invalid_slug", problem);
    const read = await deps.store.read();
    if (!read.ok) return read;
    const entry = findProject(read.file, slug);
    const run = readQueueRun(entry);
    if (!entry || !isOpen(run)) return { ok: true, stopped: false };
    let asked: Awaited<ReturnType<typeof requestCancel>>;
    try {
      asked = await withTimeout(requestCancel(queue as unknown as Queue, connection, run.job_id, reason), timeoutMs);
    } catch (error) {
      return fail(
        "not_available",
        `The job queue at ${where} is not reachable (${(error as Error).message}), so the worker running "${entry.name}" could not be told to stop. Start Redis (or fix PLANBOT_QUEUE_URL) and try again.`,
        { details: { reason: "queue_unavailable", url: where, slug: entry.name } },
      );
    }
    // Registered once the request is out (a failed request leaves no waiter behind); the worker answers
    // at its next look at the cancel key, never within the same tick.
    const ended = awaitEnd(run.job_id);
    if (asked === "removed") void events.finish(run.job_id, cancelledResult("cancelled before a worker took it"));
    else if (asked === "gone") void reconcileFinishedRuns();
    const waitMs = deps.stopWaitMs ?? 3 * deps.queue.lockMs + 15_000;
    const answer = await Promise.race([ended, sleep(waitMs).then(() => undefined)]);
    if (!answer)
      return fail(
        "execute_failed",
        `Asked the worker running "${entry.name}" to stop, but it has not answered within ${Math.round(waitMs / 1000)} s; if it is gone, the run is failed once its job lock expires.`,
        { details: { slug: entry.name, reason: "worker_silent" } },
      );
    deps.log.info({ slug: entry.name, jobId: run.job_id, reason }, `${entry.name}: remote run stopped (${reason})`);
    return { ok: true, stopped: true };
  }

  return {
    runOnce,
    runNow,
    stopRun,
    reconcileFinishedRuns,
    watch(watcher) {
      return watcher.subscribe((change) => {
        if (change.changed.length > 0) void reconcileFinishedRuns();
      });
    },
    async waitForIdle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      closed = true;
      await this.close();
    },
    async close() {
      closed = true;
      for (const resolve of [...waiting.values()].flatMap((set) => [...set]))
        resolve({
          jobId: "",
          slug: "",
          recorded: false,
          result: cancelledResult("still queued or running on a worker; planbot stopped waiting"),
        });
      await stalled.close();
      await heartbeat?.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error as Error)),
    );
  });
}
