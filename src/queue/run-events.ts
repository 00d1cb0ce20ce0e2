import { connectionProblemLog } from "./connection-problem-log.ts";
import { QueueEvents } from "bullmq";
import { createJobSerialiser } from "./job-serial.ts";
import { redisConnection, RUN_QUEUE_NAME } from "./queue-settings.ts";
import { createRunEventSteps, type RunEnd, type RunEventDeps } from "./run-event-steps.ts";
import type { RunJobProgress, RunJobResult } from "./run-job.ts";
import { normalise } from "./run-results.ts";

/**
 * The bot's side of the queue: consumes BullMQ's QueueEvents stream (progress, completed, failed) and
 * records each step through the run recorder (run-record.ts) — the bot stays the only writer of the store, and the
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

/** Starts consuming events of the run queue at `url`. */
export function consumeRunEvents(deps: RunEventDeps & { url: string }): RunEventConsumer {
  // BullMQ leaves a connection it was given open on close(): it is ours to end.
  const eventsConnection = redisConnection(deps.url);
  const events = new QueueEvents(RUN_QUEUE_NAME, { connection: eventsConnection });
  const listeners = new Set<(end: RunEnd) => void>();
  const steps = createRunEventSteps(deps, (end) => {
    for (const listener of listeners) listener(end);
  });
  // Events of one job are handled in order (progress before completion).
  const serial = createJobSerialiser(deps.log);

  events.on("error", connectionProblemLog(deps.log, "queue events"));
  events.on("progress", ({ jobId, data }) => {
    const sample = data as RunJobProgress;
    if (!sample || typeof sample !== "object" || typeof sample.worker !== "string") return;
    void serial.run(jobId, () => steps.progress(jobId, sample));
  });
  events.on("completed", ({ jobId, returnvalue }) => {
    void serial.run(jobId, () => steps.finish(jobId, normalise(returnvalue)));
  });
  events.on("stalled", ({ jobId }) => {
    void serial.run(jobId, () => steps.stalled(jobId));
  });
  events.on("failed", ({ jobId, failedReason }) => {
    void serial.run(jobId, () => steps.failed(jobId, failedReason));
  });

  return {
    finish: (jobId, result) => serial.run(jobId, () => steps.finish(jobId, result)) as Promise<RunEnd>,
    onEnd(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => events.waitUntilReady().then(() => undefined),
    async close() {
      await serial.settled();
      await events.close();
      eventsConnection.disconnect();
    },
  };
}
