import { deliverAfterRun } from "../deliver/deliver-run.ts";
import { createExecutor, type Executor, type ExecutorDeps } from "../execute/executor.ts";
import type { RunProgressListener } from "../execute/run-progress.ts";
import { createLazyQueueExecutor } from "../queue/lazy-queue-executor.ts";
import type { QueueSettings } from "../config/queue-settings.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";

/**
 * The executor behind /run, `planbot execute` and EXECUTE_AT: the BullMQ queue when PLANBOT_QUEUE_URL is
 * set (runs go to `planbot worker` processes), else the local executor, exactly as before. `onProgress`
 * hears the queue's remote runs (the local executor's runs are sampled on this machine).
 */
export function chooseExecutor(
  deps: ExecutorDeps & { queue?: QueueSettings | undefined; onProgress?: RunProgressListener | undefined },
): Executor & { watch?: (watcher: ChangeWatcher) => () => void } {
  // Delivery (push, pull request) follows each outcome the local executor records; the queue's runs are
  // pushed by their worker and get their pull request from the queue executor.
  if (!deps.queue) return createExecutor({ ...deps, afterRecorded: deliverAfterRun });
  return createLazyQueueExecutor({
    store: deps.store,
    lifecycle: deps.lifecycle,
    config: deps.config,
    queue: deps.queue,
    clock: deps.clock,
    log: deps.log,
    onProgress: deps.onProgress,
    ...(deps.probe ? { probe: deps.probe } : {}),
  });
}
