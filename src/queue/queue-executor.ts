import type { Queue } from "bullmq";
import type { Executor, RunReport } from "../execute/executor.ts";
import type { RunStopper } from "../execute/run-progress.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import { procProbe, type ProcessProbe } from "../projects/process-probe.ts";
import { fail, type Result } from "../projects/result.ts";
import { validateSlug } from "../projects/validation.ts";
import { withTimeout } from "./bounded-wait.ts";
import { createEnqueuer, queuedMessage } from "./enqueue-run.ts";
import { queueDryRun } from "./queue-dry-run.ts";
import { reconcileQueuedRuns } from "./queue-reconcile.ts";
import type { RunLookup } from "./queued-run-state.ts";
import { stopRemoteRun } from "./remote-stop.ts";
import { consumeRunEvents } from "./run-events.ts";
import { cancelledResult } from "./run-results.ts";
import { openQueueLink, type QueueLinkDeps } from "./queue-link.ts";
import { createRunWaiters } from "./run-waiters.ts";
import { queueAndAwait, selectQueuedRuns } from "./queued-pass.ts";

/** Dependencies of {@link createQueueExecutor}: the queue link's (the executor's, plus the queue settings). */
export interface QueueExecutorDeps extends QueueLinkDeps {
  probe?: ProcessProbe;
  /** How long an enqueue waits for Redis before `/run` says it is unreachable (default 3000 ms). */
  enqueueTimeoutMs?: number;
  /** How long stopRun waits for the worker to report the stopped run (default 3 × QUEUE_LOCK_MS + 15 s). */
  stopWaitMs?: number;
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
 * added; events come back through {@link consumeRunEvents}, which records them. Enqueuing, reconciling and
 * stopping live in enqueue-run.ts, queue-reconcile.ts and remote-stop.ts; this file wires them.
 */
export function createQueueExecutor(deps: QueueExecutorDeps): QueueExecutor {
  const timeoutMs = deps.enqueueTimeoutMs ?? 3000;
  const link = openQueueLink(deps);
  const { connection, queue, events, where } = link;
  const waiters = createRunWaiters();
  events.onEnd((end) => waiters.ended(end));
  const enqueuer = createEnqueuer({
    ...link,
    probe: deps.probe ?? procProbe,
    clock: deps.clock,
    log: deps.log,
    workspaceDir: deps.config.workspaceDir,
    timeoutMs,
  });
  const lookup: RunLookup = {
    queue: queue as unknown as Queue,
    connection,
    bounded: (work) => withTimeout(work, timeoutMs),
    isAdding: enqueuer.isAdding,
  };
  const reconcileFinishedRuns = () => reconcileQueuedRuns({ store: deps.store, lookup, events, log: deps.log });
  let closed = false;

  async function runOnce(
    options: { slug?: string | undefined; dryRun?: boolean | undefined } = {},
  ): Promise<Result<{ runs: RunReport[] }>> {
    const selected = await selectQueuedRuns(deps.store, options.slug);
    if (!selected.ok) return selected;
    const { candidates } = selected;
    if (options.dryRun) return { ok: true, runs: candidates.map((entry) => queueDryRun(entry, deps.config, where)) };
    if (closed) return fail("execute_failed", "The executor is stopped.");
    await events.ready();
    return queueAndAwait(enqueuer, waiters, candidates);
  }

  async function runNow(slug: string): Promise<Result<{ message: string }>> {
    const problem = validateSlug(slug);
    if (problem) return fail("invalid_slug", problem);
    if (closed) return fail("execute_failed", "The executor is stopped.");
    const queued = await enqueuer.enqueue(slug, true);
    if (!queued.ok) return queued;
    return { ok: true, message: queuedMessage(queued.entry, queued.ahead) };
  }

  const stopDeps = {
    store: deps.store,
    lookup,
    events,
    waiters,
    log: deps.log,
    where,
    timeoutMs,
    waitMs: deps.stopWaitMs ?? 3 * deps.queue.lockMs + 15_000,
    reconcile: reconcileFinishedRuns,
  };

  return {
    runOnce,
    runNow,
    stopRun: (slug, reason) => stopRemoteRun(stopDeps, slug, reason),
    reconcileFinishedRuns,
    watch(watcher) {
      return watcher.subscribe((change) => {
        if (change.changed.length > 0) void reconcileFinishedRuns();
      });
    },
    waitForIdle: () => waiters.idle(),
    async stop() {
      closed = true;
      await this.close();
    },
    async close() {
      closed = true;
      const summary = "still queued or running on a worker; planbot stopped waiting";
      waiters.releaseAll({ jobId: "", slug: "", recorded: false, result: cancelledResult(summary) });
      await link.close();
    },
  };
}
