import { exposureProblem } from "../adapters/http/security.ts";
import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { ADAPTERS } from "../runtime/adapter-catalog.ts";
import { createRuntime } from "../runtime/runtime.ts";
import { scheduleDaily } from "../execute/schedule.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/**
 * `planbot start` (= `npm start`): starts every configured adapter, logs one line per adapter (started,
 * or disabled and what enables it), and on SIGINT/SIGTERM stops taking messages, lets running handlers
 * finish and releases everything before exiting.
 */
export async function runStart(_argv: string[], config: Config, io: CliIo): Promise<number> {
  // A dashboard others could reach with no or a weak token: one line, before anything starts.
  const exposed = exposureProblem(config.dashboard.host, config.dashboard.token);
  if (exposed) {
    io.err(`planbot: ${exposed}`);
    return EXIT.usage;
  }
  const log = createLogger(config.logLevel);
  // Listen for signals before starting anything, so a stop during start-up still cleans up.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  const runtime = createRuntime(config, log);
  // The watcher first: adapters (the dashboard's SSE) and the notifier read the project list from it.
  await runtime.watcher.start();
  runtime.onStop(() => runtime.watcher.stop());
  let chatAdapters = 0;
  for (const adapter of ADAPTERS) {
    const reason = adapter.disabledBecause(config);
    if (reason) {
      log.info({ adapter: adapter.name }, `${adapter.name}: disabled (${reason})`);
      continue;
    }
    try {
      const running = await adapter.start(runtime);
      runtime.onStop(() => running.stop());
      if (adapter.name !== "dashboard") chatAdapters += 1;
      log.info({ adapter: adapter.name }, `${adapter.name}: started`);
    } catch (error) {
      log.error({ adapter: adapter.name, err: error }, `${adapter.name}: failed to start`);
      await runtime.stop();
      io.err(`planbot: the ${adapter.name} adapter failed to start: ${(error as Error).message}`);
      return EXIT.failure;
    }
  }
  // A recorded PID that dies is seen by the watcher; record that run's outcome then (safe to repeat).
  // Subscribe before the start-up reconcile, so a Ralph that dies during it is not missed.
  const unsubscribeRuns = runtime.watcher.subscribe((change) => {
    const ended = change.changed.some((item) => item.before?.status.startsWith("running") && !item.after?.status.startsWith("running"));
    if (ended) void runtime.executor.reconcileFinishedRuns();
  });
  runtime.onStop(unsubscribeRuns);
  // Ralph runs that ended while no planbot was watching get their outcome before anyone is notified.
  const reconciled = await runtime.executor.reconcileFinishedRuns();
  if (!reconciled.ok) log.warn({ message: reconciled.message }, "could not record Ralph runs that ended while planbot was down");
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
  const interrupted = await runtime.planning.recoverInterrupted();
  if (interrupted) log.warn({ interrupted }, "told chats about planner turns that died with the previous process");
  if (chatAdapters === 0) log.warn("no chat adapter is configured: only the dashboard runs. Set DISCORD_TOKEN or TELEGRAM_TOKEN, or use `planbot chat`.");
  log.info({ dataDir: config.dataDir, workspaceDir: config.workspaceDir }, "planbot started");

  // Pending promises do not keep Node alive; this timer does, until a signal arrives.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await signalled;
  clearInterval(keepAlive);
  log.info({ signal, running: runtime.bot.running }, "shutting down");
  // Let running handlers finish (a planner turn can take minutes, so bound it), then close everything.
  const grace = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
  await Promise.race([runtime.bot.drain(), grace]);
  await runtime.stop();
  log.info("stopped");
  return EXIT.ok;
}
