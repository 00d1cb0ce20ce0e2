import type { QueueExecutor, QueueExecutorDeps } from "./queue-executor.ts";

/**
 * The queue executor, with BullMQ and ioredis loaded on first need rather than at import: every
 * `planbot start` reaches this module through the runtime, but only one with PLANBOT_QUEUE_URL set uses
 * it, and BullMQ with its dependencies is some 25 MB of resident memory a planbot without a queue would
 * carry for nothing (README, "Dependencies and why"). The load starts as soon as this is called (the executor connects
 * to Redis then, as before); every method waits for it.
 */
export function createLazyQueueExecutor(deps: QueueExecutorDeps): QueueExecutor {
  const loaded = import("./queue-executor.ts").then(({ createQueueExecutor }) => createQueueExecutor(deps));
  // A failed load is reported by the method that needs the executor, not as an unhandled rejection.
  loaded.catch(() => undefined);
  return {
    runOnce: async (options) => (await loaded).runOnce(options),
    runNow: async (slug) => (await loaded).runNow(slug),
    stopRun: async (slug, reason) => (await loaded).stopRun(slug, reason),
    reconcileFinishedRuns: async () => (await loaded).reconcileFinishedRuns(),
    waitForIdle: async () => (await loaded).waitForIdle(),
    stop: async () => (await loaded).stop(),
    close: async () => (await loaded).close(),
    watch(watcher) {
      let unwatch: (() => void) | undefined;
      let unwatched = false;
      void loaded.then(
        (executor) => {
          if (!unwatched) unwatch = executor.watch(watcher);
        },
        () => undefined,
      );
      return () => {
        unwatched = true;
        unwatch?.();
      };
    },
  };
}
