import type { ChatTarget } from "../chat/incoming.ts";
import type { OutboundRouter } from "../chat/outbound.ts";
import type { ReliableSender } from "../chat/reliable-send.ts";
import type { Config } from "../config.ts";
import type { Executor } from "../execute/executor.ts";
import { createProgressHub, type ProgressHub } from "../execute/progress-hub.ts";
import { createProgressSampler, type ProgressSampler } from "../execute/progress-sampler.ts";
import { createRunGuard } from "../execute/run-guard.ts";
import type { Logger } from "../log.ts";
import { createProgressNotifier, type ProgressNotifier } from "../notify/progress-notifier.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { Clock } from "../projects/clock.ts";
import { procProbe, type ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectStore } from "../projects/project-store.ts";

/** Live progress of runs, wired: sampler → hub → (run guard, progress messages). */
export interface LiveProgress {
  /** Publish remote runs' progress here too (the queue); subscribe to read it (the dashboard). */
  hub: ProgressHub;
  sampler: ProgressSampler;
  messages: ProgressNotifier;
  /** Starts the progress messages and the sampler (after the adapters are up); the returned stop undoes it. */
  start(): Promise<() => Promise<void>>;
}

/** Dependencies of {@link createLiveProgress}. */
export interface LiveProgressDeps {
  config: Config;
  log: Logger;
  store: ProjectStore;
  clock: Clock;
  watcher: ChangeWatcher;
  executor: Executor;
  outbound: OutboundRouter;
  /** Stall notices are retried through it (shared with planning's mirrored replies). */
  delivery: ReliableSender;
  targets: {
    chatsForProject: (slug: string) => Promise<ChatTarget[]>;
    canDeliverTo: (adapter: string) => boolean;
    notifyTargets: ChatTarget[];
  };
  probe?: ProcessProbe;
  env?: NodeJS.ProcessEnv;
}

/** Runs are sampled at least this often, and never less often than messages may be edited. */
const MAX_SAMPLE_MS = 3000;

/**
 * Builds the live-progress pieces (README, "Live progress" and "Run guardrails"). The guard stops runs
 * through the executor's `stopRun`, so it works for whichever executor runs them; a project cancelled
 * while Ralph runs (from any chat, the dashboard or the CLI) is stopped by the same call.
 */
export function createLiveProgress(deps: LiveProgressDeps): LiveProgress {
  const { config, log } = deps;
  const editIntervalMs = config.progress.editIntervalSeconds * 1000;
  const hub = createProgressHub((error) => log.error({ err: error }, "a run progress listener failed"));
  const messages = createProgressNotifier({
    outbound: deps.outbound,
    delivery: deps.delivery,
    watcher: deps.watcher,
    ...deps.targets,
    clock: deps.clock,
    log,
    dataDir: config.dataDir,
    editIntervalMs,
    stallMinutes: config.progress.stallMinutes,
  });
  const guard = createRunGuard({
    stopper: deps.executor,
    maxMinutes: config.progress.maxMinutes,
    stallMinutes: config.progress.stallMinutes,
    clock: deps.clock,
    log,
    onStall: (progress, quietMinutes) => messages.stall(progress, quietMinutes),
  });
  const sampler = createProgressSampler({
    store: deps.store,
    probe: deps.probe ?? procProbe,
    ralphCommand: config.execute.ralphCommand,
    workspaceDir: config.workspaceDir,
    log,
    intervalMs: Math.min(editIntervalMs, MAX_SAMPLE_MS),
    listener: hub.publish,
    env: deps.env,
    onCancelledRun: (slug) => {
      void deps.executor.stopRun?.(slug, "cancelled").then((stopped) => {
        if (!stopped.ok) log.error({ slug, err: stopped.message }, "stopping a cancelled project's run failed");
      });
    },
  });
  return {
    hub,
    sampler,
    messages,
    async start() {
      const unsubscribe = [hub.subscribe(guard), hub.subscribe(messages.listener)];
      await messages.start();
      sampler.start();
      return async () => {
        await sampler.stop();
        for (const stop of unsubscribe) stop();
        await messages.stop();
      };
    },
  };
}
