import { Redis, type RedisOptions } from "ioredis";

// The settings' shape is configuration (src/config/, the foundation layer); re-exported for the queue's
// files that import it from here.
export type { QueueSettings } from "../config/queue-settings.ts";

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
