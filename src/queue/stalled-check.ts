import { connectionProblemLog } from "./connection-problem-log.ts";
import { Worker } from "bullmq";
import type { Logger } from "../log.ts";
import type { QueueSettings } from "../config/queue-settings.ts";
import { redisConnection, RUN_QUEUE_NAME } from "./queue-settings.ts";

/** The bot's stalled-job check; close() stops it. */
export interface StalledCheck {
  close(): Promise<void>;
}

/**
 * Runs BullMQ's stalled-job check from the bot, so a run whose worker died is failed (or retried, with
 * QUEUE_STALL_RETRIES) even when no other worker is alive: BullMQ only checks from Worker instances. A
 * Worker without a processor takes no job (BullMQ's "manually fetching jobs" pattern) and
 * `startStalledCheckTimer()` runs the check every `stalledInterval`. Its settings are the workers' own, so
 * whichever process checks first decides the same way; the check is one atomic Redis script.
 */
export function startStalledCheck(settings: QueueSettings, log: Logger): StalledCheck {
  // BullMQ leaves a connection it was given open on close(): it is ours to end.
  const connection = redisConnection(settings.url);
  const checker = new Worker(RUN_QUEUE_NAME, undefined, {
    connection,
    autorun: false,
    lockDuration: settings.lockMs,
    stalledInterval: settings.lockMs,
    maxStalledCount: settings.stallRetries,
  });
  checker.on("error", connectionProblemLog(log, "stalled-run check"));
  checker.on("stalled", (jobId) => log.warn({ jobId }, "a queued run's worker stopped answering"));
  void checker.startStalledCheckTimer().catch((error: unknown) => log.warn({ err: error }, "stalled-run check"));
  return {
    async close() {
      await checker.close();
      connection.disconnect();
    },
  };
}
