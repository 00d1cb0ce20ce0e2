import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { BotServices } from "../bot/command-context.ts";
import { createOutboundRouter, type OutboundRouter } from "../chat/outbound.ts";
import { createReliableSender, type ReliableSender } from "../chat/reliable-send.ts";
import type { SendRetryPolicy } from "../chat/send-retry-policy.ts";
import { createRoles } from "../bot/roles.ts";
import type { Clock } from "../projects/clock.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";
import { createStoreServices, withLister, type CoreServices } from "../projects/core-services.ts";
import { createAdapterStatusBoard, type AdapterStatusBoard } from "../adapters/adapter-status.ts";
import type { ProjectSnapshot } from "../adapters/contract.ts";
import { createClaudeCliPlanner } from "../planning/claude-cli-planner.ts";
import type { PlannerBackend } from "../planning/planner-backend.ts";
import { createPlanningService, type PlanningService } from "../planning/planning-service.ts";
import { createPlannerRegistry } from "../planning/planner-registry.ts";
import { createSessionStore } from "../planning/session-store.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { Notifier } from "../notify/notifier.ts";
import type { ChatTarget } from "../chat/incoming.ts";
import type { Executor } from "../execute/executor.ts";
import { createLiveProgress, type LiveProgress } from "./live-progress.ts";
import type { InFlightBot } from "./in-flight.ts";
import {
  abandonPlanningOnLeave,
  buildBot,
  buildDeliveryPort,
  buildExecutor,
  buildNotifier,
  buildWatcher,
  projectSnapshot,
  serverFolders,
  stopInReverse,
  type RuntimeWiring,
} from "./runtime-parts.ts";

/** Everything one planbot process runs on, wired once and shared by every adapter. */
export interface Runtime {
  config: Config;
  log: Logger;
  core: CoreServices;
  services: BotServices;
  bot: InFlightBot;
  outbound: OutboundRouter;
  /** Retried delivery to chats nobody is talking in (mirrored planner replies, stall notices); in memory only. */
  delivery: ReliableSender;
  planning: PlanningService;
  /** How each adapter is doing; `planbot start` fills it, mirrored to `<dataDir>/adapters.json` for `planbot doctor`. */
  adapterStatus: AdapterStatusBoard;
  /** The read-only project view adapters get: the watcher's snapshot when it runs, else a fresh read. */
  projects: ProjectSnapshot;
  /** The one source of project state; `start()` it before relying on it (start-command does). */
  watcher: ChangeWatcher;
  /** Announces transitions; start it after the adapters so it can deliver (start-command does). */
  notifier: Notifier;
  /** The Ralph executor behind /run, `planbot execute` and EXECUTE_AT. */
  executor: Executor;
  /** Run progress: the sampler, the hub, the run guard and the progress messages; started in background.ts. */
  live: LiveProgress;
  /** Things to stop at shutdown, last registered stopped first. */
  onStop(stop: () => Promise<void> | void): void;
  stop(): Promise<void>;
}

/** Test seams: swap the clock or the process probe without module mocking. */
export interface RuntimeOverrides {
  clock?: Clock;
  probe?: ProcessProbe;
  botUsername?: string;
  planner?: PlannerBackend;
  env?: NodeJS.ProcessEnv;
  notifierBackoffMs?: number;
  /** Backoff of mirrored replies and stall notices (tests pass small ones). */
  deliveryRetry?: Partial<SendRetryPolicy>;
  /** The change watcher's debounce (tests widen it to hold a file change unseen until they refresh). */
  watcherDebounceMs?: number;
}

/** The configured notification channels (DISCORD_NOTIFY_CHANNEL_ID, TELEGRAM_NOTIFY_CHAT_ID + thread). */
export function notifyTargets(config: Config): ChatTarget[] {
  const targets: ChatTarget[] = [];
  if (config.discord.token && config.discord.notifyChannelId)
    targets.push({ adapter: "discord", channelId: config.discord.notifyChannelId });
  if (config.telegram.token && config.telegram.notifyChatId) {
    targets.push({
      adapter: "telegram",
      channelId: config.telegram.notifyChatId,
      ...(config.telegram.notifyThreadId ? { threadId: config.telegram.notifyThreadId } : {}),
    });
  }
  return targets;
}

/** Builds the runtime for a configuration; adapters are started separately (see start-command). */
export function createRuntime(config: Config, log: Logger, overrides: RuntimeOverrides = {}): Runtime {
  // Built in dependency order: store and lifecycle, planning on them, the lister (which shows planning's
  // previews) on both, then the executor, the commands, the watcher and the notifier.
  const base = createStoreServices(config, overrides);
  const outbound = createOutboundRouter({ serverFolders: serverFolders(config) });
  const delivery = createReliableSender({ outbound, log, retry: overrides.deliveryRetry });
  const planners = createPlannerRegistry(config.dataDir);
  const planning = createPlanningService({
    sessions: createSessionStore(config.dataDir),
    store: base.store,
    lifecycle: base.lifecycle,
    planner:
      overrides.planner ??
      createClaudeCliPlanner({
        command: config.planner.command,
        timeoutMs: config.planner.timeoutSeconds * 1000,
        env: overrides.env,
        tracker: planners,
      }),
    sweepLeftovers: () => planners.sweepLeftovers(),
    gitRemoteBase: config.execute.gitRemoteBase,
    executeAt: config.execute.at,
    outbound,
    delivery,
    clock: base.clock,
    log,
    dataDir: config.dataDir,
    workspaceDir: config.workspaceDir,
    maxParallel: config.planner.maxParallel,
    env: overrides.env,
  });
  const core = withLister(base, { probe: overrides.probe, previews: () => planning.previews() });
  const wiring: RuntimeWiring = { config, log, overrides, core, planning, outbound };
  // Remote runs' progress (the queue) joins the local runs' in the same hub; it only arrives once running.
  const executor = buildExecutor(wiring, (progress) => live.hub.publish(progress));
  const services: BotServices = {
    lifecycle: core.lifecycle,
    lister: core.lister,
    clock: core.clock,
    planning,
    executor,
    delivery: buildDeliveryPort(wiring),
    executeAt: config.execute.at,
    workspaceDir: config.workspaceDir,
  };
  const watcher = buildWatcher(wiring);
  // A queued run of a project cancelled or unapproved meanwhile loses its job.
  const unwatchQueue = executor.watch?.(watcher);
  abandonPlanningOnLeave(watcher, planning);
  const bot = buildBot(wiring, services, createRoles(config));
  const notifier = buildNotifier(wiring, watcher, notifyTargets(config));
  const live = createLiveProgress({
    config,
    log,
    store: core.store,
    clock: core.clock,
    watcher,
    executor,
    outbound,
    delivery,
    targets: {
      chatsForProject: (slug) => planning.chatsForProject(slug),
      canDeliverTo: (adapter) => outbound.has(adapter),
      notifyTargets: notifyTargets(config),
    },
    ...(overrides.probe ? { probe: overrides.probe } : {}),
    ...(overrides.env ? { env: overrides.env } : {}),
  });
  // Registered first, so stopped last; close() rather than stop(): Ralph must outlive planbot.
  // Then planning: every running planner turn (chat or dashboard) is stopped, within its kill grace.
  const stops: (() => Promise<void> | void)[] = [
    () => executor.close(),
    () => planning.shutdown(),
    () => unwatchQueue?.(),
    // Stopped again (a no-op) if startBackground's earlier stop already ran: pending retries never hold up stop.
    () => delivery.stop(),
  ];
  return {
    config,
    log,
    core,
    services,
    bot,
    outbound,
    delivery,
    planning,
    adapterStatus: createAdapterStatusBoard(config.dataDir),
    projects: projectSnapshot(watcher, core),
    watcher,
    notifier,
    executor,
    live,
    onStop: (stop) => void stops.push(stop),
    stop: () => stopInReverse(stops, log),
  };
}
