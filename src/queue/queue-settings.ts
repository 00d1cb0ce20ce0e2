import { Redis, type RedisOptions } from "ioredis";

/**
 * The job queue's settings (README, "Running Ralph on other machines"): PLANBOT_QUEUE_URL switches /run,
 * `planbot execute` and EXECUTE_AT from the local executor to BullMQ on that Redis; the rest tune it.
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

/** The BullMQ queue name every planbot process and worker uses. */
export const RUN_QUEUE_NAME = "planbot-ralph-runs";

/**
 * A Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's blocking workers need;
 * ioredis reconnects on its own, so a Redis restart is a pause, not an error.
 */
export function redisConnection(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...options });
  // BullMQ reports connection problems through its own "error" events (logged by the callers); without a
  // listener here ioredis would print every failed reconnect attempt.
  redis.on("error", () => undefined);
  return redis;
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(
    /\/\/([^@/]*)@/,
    (_, auth: string) => `//${auth.includes(":") ? `${auth.split(":")[0]}:***` : "***"}@`,
  );
}
