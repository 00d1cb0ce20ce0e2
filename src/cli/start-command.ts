import { onStopSignal } from "./stop-signals.ts";
import { exposureProblem } from "../adapters/http/exposure.ts";
import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { ADAPTERS } from "../runtime/adapter-catalog.ts";
import { createRuntime } from "../runtime/runtime.ts";
import { superviseAdapter } from "../runtime/adapter-supervisor.ts";
import { startBackground, startWatcher } from "../runtime/background.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { readNoArguments } from "./read-no-arguments.ts";

export const START_USAGE = `usage: planbot start
  Runs every adapter whose configuration is present (Discord, Telegram), the dashboard, the terminal socket
  and the change watcher until Ctrl-C. It takes no options: the configuration is the environment and .env
  (README, "Configuration"); planbot doctor checks it.`;

/** Chat platforms reached over the network: retried with backoff when they cannot be reached at start. */
const RETRIED = new Set(["discord", "telegram"]);

/**
 * `planbot start` (= `npm start`): starts every configured adapter, logs one line per adapter (started,
 * or disabled and what enables it), and on SIGINT/SIGTERM stops taking messages, lets running handlers
 * finish and releases everything before exiting.
 */
export async function runStart(argv: string[], config: Config, io: CliIo): Promise<number> {
  // `planbot start --help` must print the usage, not start a planbot.
  const refused = readNoArguments(argv, START_USAGE, io);
  if (refused !== undefined) return refused;
  // A dashboard others could reach with no or a weak token: one line, before anything starts.
  const exposed = exposureProblem(config.dashboard.host, config.dashboard.token);
  if (exposed) {
    io.err(`planbot: ${exposed}`);
    return EXIT.usage;
  }
  const log = createLogger(config.logLevel, 2, config.logFormat);
  // Listen for signals before starting anything, so a stop during start-up still cleans up.
  const signalled = new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
  const runtime = createRuntime(config, log);
  try {
    await startWatcher(runtime);
  } catch (error) {
    // The watcher makes the data and workspace folders first: one that cannot be made (a file in the way,
    // a read-only or pseudo file system) is said in one line, as `planbot chat` says it, not a stack trace.
    await runtime.stop();
    io.err(
      `planbot: ${(error as Error).message}. Check that planbot may create and write its data folder (PLANBOT_DATA_DIR) and workspace folder (PLANBOT_WORKSPACE_DIR).`,
    );
    return EXIT.failure;
  }
  const board = runtime.adapterStatus;
  let chatAdapters = 0;
  for (const adapter of ADAPTERS) {
    const reason = adapter.disabledBecause(config);
    if (reason) {
      board.set(adapter.name, { state: "disabled", reason });
      log.info({ adapter: adapter.name }, `${adapter.name}: disabled (${reason})`);
      continue;
    }
    if (RETRIED.has(adapter.name)) {
      // A chat platform that cannot be reached now is tried again later; everything else keeps running.
      const supervised = superviseAdapter(adapter, runtime, { board, log });
      runtime.onStop(() => supervised.stop());
      await supervised.firstAttempt;
      chatAdapters += 1;
      continue;
    }
    try {
      const running = await adapter.start(runtime);
      runtime.onStop(() => running.stop());
      board.set(adapter.name, { state: "running" });
      log.info({ adapter: adapter.name }, `${adapter.name}: started`);
    } catch (error) {
      // The dashboard and the terminal socket fail on local configuration (a taken port, another planbot on
      // this data dir): waiting would not fix that, so planbot stops and says what to change — the message
      // is the whole story, a stack trace would only bury it.
      log.error({ adapter: adapter.name, reason: (error as Error).message }, `${adapter.name}: failed to start`);
      await runtime.stop();
      io.err(`planbot: the ${adapter.name} adapter failed to start: ${(error as Error).message}`);
      return EXIT.failure;
    }
  }
  await startBackground(runtime);
  // The terminal and the dashboard always run, so this says which chats are missing, not that none is there.
  if (chatAdapters === 0)
    log.warn(
      "no Discord or Telegram chat is configured: chat in the terminal (planbot chat attaches here) or on the dashboard. Set DISCORD_TOKEN or TELEGRAM_TOKEN to chat there too.",
    );
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
