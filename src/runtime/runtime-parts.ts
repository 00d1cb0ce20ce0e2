/**
 * The pieces {@link createRuntime} wires, each built from the config, the test seams and the services
 * built before it (store, lifecycle, lister, planning, outbound router), so the factory reads as the order
 * things are built in. The planning service and the live progress stay in the factory itself.
 */
import { createBot } from "../bot/bot.ts";
import { createChoiceLedger } from "../bot/choice-ledger.ts";
import type { BotServices } from "../bot/command-context.ts";
import { createDefaultRegistry } from "../bot/commands/index.ts";
import type { ProjectSnapshot } from "../adapters/contract.ts";
import type { OutboundRouter } from "../chat/outbound.ts";
import type { ServerFolders } from "../chat/server-paths.ts";
import type { Config } from "../config.ts";
import type { RunProgressListener } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import { createNotifier, type Notifier } from "../notify/notifier.ts";
import type { PlanningService } from "../planning/planning-service.ts";
import { createChangeWatcher, type ChangeWatcher } from "../projects/change-watcher.ts";
import type { ChatTarget } from "../chat/incoming.ts";
import type { CoreServices } from "../projects/core-services.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectLister } from "../projects/project-list.ts";
import type { Roles } from "../bot/roles.ts";
import { chooseExecutor } from "./choose-executor.ts";
import { deliverySetupOf } from "../deliver/deliver-again-offer.ts";
import { createDeliveryPort, type DeliveryPort } from "../deliver/deliver-again.ts";
import { trackInFlight, type InFlightBot } from "./in-flight.ts";

/** The test seams the pieces use (a part of createRuntime's overrides). */
interface Seams {
  probe?: ProcessProbe | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  botUsername?: string | undefined;
  notifierBackoffMs?: number | undefined;
  watcherDebounceMs?: number | undefined;
}

/** What the pieces are built from. */
export interface RuntimeWiring {
  config: Config;
  log: Logger;
  overrides: Seams;
  core: CoreServices;
  planning: PlanningService;
  outbound: OutboundRouter;
}

/** The executor (local or the queue's), with `onProgress` hearing the queue's remote runs. */
export function buildExecutor(wiring: RuntimeWiring, onProgress: RunProgressListener) {
  const { config, core, log, overrides } = wiring;
  return chooseExecutor({
    queue: config.queue,
    store: core.store,
    lifecycle: core.lifecycle,
    lister: core.lister,
    config,
    clock: core.clock,
    log,
    ...(overrides.probe ? { probe: overrides.probe } : {}),
    ...(overrides.env ? { env: overrides.env } : {}),
    maxMinutes: config.progress.maxMinutes,
    onProgress,
  });
}

/** `/deliver`'s port: delivers a finished run again, as the local executor's delivery step does after a run. */
export function buildDeliveryPort(wiring: RuntimeWiring): DeliveryPort {
  const { config, core, log, overrides } = wiring;
  return createDeliveryPort({
    store: core.store,
    lister: core.lister,
    lifecycle: core.lifecycle,
    config,
    log,
    now: () => core.clock.now().toISOString(),
    ...(overrides.env ? { env: overrides.env } : {}),
  });
}

/** The folders no chat message may show a path of: the data folder and the workspaces. */
export function serverFolders(config: Config): ServerFolders {
  return { dataDir: config.dataDir, workspaceDir: config.workspaceDir };
}

/** The change watcher over the store and the workspaces, not started yet. */
export function buildWatcher(wiring: RuntimeWiring): ChangeWatcher {
  const { config, core, log, overrides, planning } = wiring;
  return createChangeWatcher({
    store: core.store,
    lister: core.lister,
    clock: core.clock,
    dataDir: config.dataDir,
    workspaceDir: config.workspaceDir,
    ralphCommand: config.execute.ralphCommand,
    ...(overrides.probe ? { probe: overrides.probe } : {}),
    ...(overrides.watcherDebounceMs ? { debounceMs: overrides.watcherDebounceMs } : {}),
    onError: (error) => log.warn({ err: error }, "change watcher"),
    previewSlugs: () => planning.previews().keys(),
  });
}

/** Whether a project in this state (undefined: gone) has no business with a planning session; approval closes its own. */
function leftPlanning(status: string | undefined): boolean {
  return status !== "planning" && status !== "approved";
}

/**
 * A project that leaves `planning` other than by approval (the dashboard, `planbot projects cancel`,
 * another tool; `/cancel` already did it) ends its planning session: a running planner turn is stopped and
 * its answer never delivered.
 */
export function abandonPlanningOnLeave(watcher: ChangeWatcher, planning: PlanningService): void {
  watcher.subscribe((change) => {
    for (const item of change.changed) {
      if (item.before?.status === "planning" && leftPlanning(item.after?.status))
        void planning.abandon(item.slug, `the project is ${item.after?.status ?? "gone"}`);
    }
  });
}

/**
 * The same rule for what changed while no planbot watched (`planbot projects cancel` with none running,
 * another tool): at start, each open session whose project left `planning` is ended and its chats told.
 * Call once the adapters are up, so they hear it. Resolves to the number of sessions ended.
 */
export async function abandonPlanningLeftMeanwhile(planning: PlanningService, lister: ProjectLister): Promise<number> {
  let ended = 0;
  // Read project by project: most starts find no open session, and then no list is built at all.
  for (const slug of await planning.openSessionSlugs()) {
    const found = await lister.get(slug);
    if (!found.ok) continue;
    const status = found.record?.status;
    if (!leftPlanning(status)) continue;
    if ((await planning.abandon(slug, `the project is ${status ?? "gone"}`)).ended) ended++;
  }
  return ended;
}

/** The chat bot every adapter hands its messages to, counting the commands in flight. */
export function buildBot(wiring: RuntimeWiring, services: BotServices, roles: Roles): InFlightBot {
  const { config, core, log, overrides } = wiring;
  return trackInFlight(
    createBot({
      registry: createDefaultRegistry(),
      services,
      roles,
      log,
      botUsername: overrides.botUsername,
      choices: createChoiceLedger(config.dataDir, () => core.clock.now()),
      serverFolders: serverFolders(config),
    }),
  );
}

/** The notifier of status transitions to `targets` and the planning chats, over the watcher, not started yet. */
export function buildNotifier(wiring: RuntimeWiring, watcher: ChangeWatcher, targets: ChatTarget[]): Notifier {
  const { config, core, log, overrides, planning, outbound } = wiring;
  return createNotifier({
    watcher,
    outbound,
    chatsForProject: (slug) => planning.chatsForProject(slug),
    canDeliverTo: (adapter) => outbound.has(adapter),
    notifyTargets: targets,
    executeAt: config.execute.at,
    deliverySetup: deliverySetupOf(config),
    clock: core.clock,
    log,
    dataDir: config.dataDir,
    workspaceDir: config.workspaceDir,
    ...(overrides.notifierBackoffMs !== undefined ? { backoffMs: overrides.notifierBackoffMs } : {}),
  });
}

/** The read-only project view adapters get: the watcher's snapshot when it runs, else a fresh read. */
export function projectSnapshot(watcher: ChangeWatcher, core: CoreServices): ProjectSnapshot {
  return {
    async projects() {
      const watched = watcher.current();
      if (watched.sequence > 0) return watched.list.projects;
      const listed = await core.lister.list();
      return listed.ok ? listed.list.projects : undefined;
    },
  };
}

/** Runs `stops` last registered first, logging (not throwing) what fails, until none is left. */
export async function stopInReverse(stops: (() => Promise<void> | void)[], log: Logger): Promise<void> {
  while (stops.length) {
    const stop = stops.pop()!;
    try {
      await stop();
    } catch (error) {
      log.error({ err: error }, "error while stopping");
    }
  }
}
