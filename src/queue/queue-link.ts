import { connectionProblemLog } from "./connection-problem-log.ts";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ExecutorConfig } from "../execute/run-plan.ts";
import type { RunProgressListener } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { redactRedisUrl, redisConnection, RUN_QUEUE_NAME, type QueueSettings } from "./queue-settings.ts";
import { remotePullRequestStep } from "./remote-delivery.ts";
import { consumeRunEvents, type RunEventConsumer } from "./run-events.ts";
import type { RunJobData } from "./run-job.ts";
import { createRunRecorder, type RunRecorder } from "./run-record.ts";
import { startRemoteHeartbeat } from "./remote-heartbeat.ts";
import { startStalledCheck } from "./stalled-check.ts";

/** What the bot's side of the run queue needs: the executor's dependencies, plus the queue settings. */
export interface QueueLinkDeps {
  store: ProjectStore;
  lifecycle: Lifecycle;
  config: ExecutorConfig;
  queue: QueueSettings;
  clock: Clock;
  log: Logger;
  /** Hears each remote run's progress, the same `RunProgress` shape a local run produces. */
  onProgress?: RunProgressListener | undefined;
  /** How often running remote runs' last progress is published again while their workers are silent (default 3000 ms). */
  heartbeatMs?: number;
}

/**
 * The bot's side of the run queue: one Redis connection, the queue jobs are added to, the recorder of
 * their steps in the store, the consumer of their events, BullMQ's stalled-job check, and the heartbeat
 * that publishes silent remote runs' progress again (remote-heartbeat.ts).
 */
export interface QueueLink {
  connection: Redis;
  queue: Queue<RunJobData>;
  recorder: RunRecorder;
  events: RunEventConsumer;
  /** The queue's URL without its password, for messages. */
  where: string;
  /** Closes the stalled check, the event consumer, the queue and the connection. */
  close(): Promise<void>;
}

/** Connects to the run queue (commands wait offline while Redis reconnects; callers bound them). */
export function openQueueLink(deps: QueueLinkDeps): QueueLink {
  const connection = redisConnection(deps.queue.url, { enableOfflineQueue: true });
  const queue = new Queue<RunJobData>(RUN_QUEUE_NAME, { connection });
  queue.on("error", connectionProblemLog(deps.log, "job queue"));
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
  return {
    connection,
    queue,
    recorder,
    events,
    where: redactRedisUrl(deps.queue.url),
    async close() {
      await stalled.close();
      await heartbeat?.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
