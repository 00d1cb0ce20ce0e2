import { scheduleDaily } from "../execute/schedule.ts";
import type { Runtime } from "./runtime.ts";
import { abandonPlanningLeftMeanwhile } from "./runtime-parts.ts";
import { logStoreHealth } from "./store-health-log.ts";

/** Starts the change watcher first: adapters (the dashboard's stream) and the notifier read the project list from it. */
export async function startWatcher(runtime: Runtime): Promise<void> {
  // Subscribed before the start, so a store already broken then is logged too.
  runtime.onStop(logStoreHealth(runtime.watcher.storeHealth, runtime.log));
  await runtime.watcher.start();
  runtime.onStop(() => runtime.watcher.stop());
}

/**
 * What runs behind the chats once their adapters are up (so notices can be delivered): recording Ralph
 * runs that end, the daily EXECUTE_AT run, the notifier, and telling chats about planner turns the last
 * process died in. Shared by `planbot start` and a standalone `planbot chat`.
 */
export async function startBackground(runtime: Runtime): Promise<void> {
  const { config, log } = runtime;
  // A recorded PID that dies is seen by the watcher; record that run's outcome then (safe to repeat).
  // Subscribe before the start-up reconcile, so a Ralph that dies during it is not missed.
  const unsubscribeRuns = runtime.watcher.subscribe((change) => {
    const ended = change.changed.some(
      (item) => item.before?.status.startsWith("running") && !item.after?.status.startsWith("running"),
    );
    if (ended) void runtime.executor.reconcileFinishedRuns();
  });
  runtime.onStop(unsubscribeRuns);
  // Ralph runs that ended while no planbot was watching get their outcome before anyone is notified.
  const reconciled = await runtime.executor.reconcileFinishedRuns();
  if (!reconciled.ok)
    log.warn({ message: reconciled.message }, "could not record Ralph runs that ended while planbot was down");
  if (config.execute.at) {
    const daily = scheduleDaily({
      at: config.execute.at,
      clock: runtime.core.clock,
      run: () => runtime.executor.runOnce(),
      onError: (error) => log.error({ err: error }, "scheduled execute failed"),
    });
    runtime.onStop(() => daily.stop());
    log.info(`executor: runs approved projects daily at ${config.execute.at} (next ${daily.next().toISOString()})`);
  } else {
    log.info("executor: on demand (/run, planbot execute); set EXECUTE_AT=HH:MM for a daily run");
  }
  await runtime.notifier.start();
  runtime.onStop(() => runtime.notifier.stop());
  // Stopped before the adapters are: a message still waiting for its retry is dropped with a log line.
  runtime.onStop(() => runtime.delivery.stop());
  // Progress messages and the run guard follow every running Ralph, also one an earlier planbot started.
  runtime.onStop(await runtime.live.start());
  // Projects cancelled while no planbot ran (planbot projects cancel, another tool) end their sessions now.
  const abandoned = await abandonPlanningLeftMeanwhile(runtime.planning, runtime.core.lister);
  if (abandoned)
    log.info({ abandoned }, "ended planning sessions of projects that left planning while planbot was down");
  const interrupted = await runtime.planning.recoverInterrupted();
  if (interrupted) log.warn({ interrupted }, "told chats about planner turns that died with the previous process");
}
