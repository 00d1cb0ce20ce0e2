/**
 * The job queue's settings (README, "Running Ralph on other machines"): PLANBOT_QUEUE_URL switches /run,
 * `planbot execute` and EXECUTE_AT from the local executor to BullMQ on that Redis; the rest tune it.
 * The configuration's shape lives in the foundation layer, so `src/config.ts` builds it without importing
 * `src/queue`; the Redis connection itself is src/queue/queue-settings.ts.
 */
export interface QueueSettings {
  /** redis:// or rediss:// URL of the Redis (or Valkey) the bot and every worker share. */
  url: string;
  /** Runs one `planbot worker` process takes at once (WORKER_CONCURRENCY). */
  concurrency: number;
  /** How long a worker's lock on a job lasts without renewal (QUEUE_LOCK_MS): a killed worker's run is given up after about this long. */
  lockMs: number;
  /** How often a run whose worker vanished is started again on another worker before it is failed (QUEUE_STALL_RETRIES, default 0). */
  stallRetries: number;
}
