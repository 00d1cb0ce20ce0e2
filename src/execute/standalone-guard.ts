import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";
import { procProbe } from "../projects/process-probe.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import type { ExecutorPort } from "./executor-port.ts";
import { createProgressSampler } from "./progress-sampler.ts";
import { createRunGuard } from "./run-guard.ts";

/**
 * The run guard for `planbot execute` (no chats, no `planbot start` needed): samples the local runs and
 * stops one past RALPH_MAX_MINUTES (or cancelled meanwhile); a stall is logged. Returns its stop.
 */
export function startStandaloneGuard(deps: {
  config: Config;
  store: ProjectStore;
  executor: ExecutorPort;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  probe?: ProcessProbe;
}): () => Promise<void> {
  const guard = createRunGuard({
    stopper: deps.executor,
    maxMinutes: deps.config.progress.maxMinutes,
    stallMinutes: deps.config.progress.stallMinutes,
    clock: { now: () => new Date() },
    log: deps.log,
    onStall: () => undefined, // the guard logs it; there is no chat to tell
  });
  const sampler = createProgressSampler({
    store: deps.store,
    probe: deps.probe ?? procProbe,
    ralphCommand: deps.config.execute.ralphCommand,
    workspaceDir: deps.config.workspaceDir,
    log: deps.log,
    intervalMs: 3000,
    listener: guard,
    env: deps.env,
    onCancelledRun: (slug) => void deps.executor.stopRun?.(slug, "cancelled"),
  });
  sampler.start();
  return () => sampler.stop();
}
