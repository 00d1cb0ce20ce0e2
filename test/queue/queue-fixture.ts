import { afterEach } from "vitest";
import { type RedisServer, startRedis } from "../helpers/redis-server.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { createQueueWorld, type QueueWorld, type QueueWorldOptions } from "./harness.ts";

/**
 * What every queue test starts from: a real redis-server on 127.0.0.1 and a {@link QueueWorld} over it,
 * both stopped after each test together with whatever else the test started (a notifier, a fake GitHub).
 */
export interface QueueFixture {
  /** Starts redis-server (`persistent`: with an fsynced append-only file, so a restart keeps the jobs) and the world. */
  setUp(options?: QueueWorldOptions & { persistent?: boolean }): Promise<{ redis: RedisServer; world: QueueWorld }>;
  /**
   * Runs `stop` after the test. Everything stops newest first, so what a test starts over the world (a
   * notifier on its watcher) stops before the world, and what the world was given (a fake GitHub) after it.
   */
  cleanup(stop: () => Promise<unknown>): void;
}

/** Registers the `afterEach` that tears the fixture down; call it once at the top of a test file. */
export function useQueueFixture(): QueueFixture {
  const temp = createTempDirs();
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    // A failed stop is not the test's result: the next one still runs, and the temp folders still go.
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    await temp.cleanup();
  });
  const cleanup = (stop: () => Promise<unknown>) => void stops.push(stop);
  return {
    cleanup,
    async setUp(options = {}) {
      const redis = await startRedis(options.persistent ? { dir: await temp.make("redis-") } : {});
      cleanup(() => redis.stop());
      const world = await createQueueWorld(temp, redis.url, options);
      cleanup(() => world.close());
      return { redis, world };
    },
  };
}

/** How often `item` is in `list` (a transition announced once, say). */
export const count = (list: string[], item: string) => list.filter((seen) => seen === item).length;
