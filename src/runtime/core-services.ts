import type { Config } from "../config.ts";
import { systemClock, type Clock } from "../projects/clock.ts";
import { createLifecycle, type Lifecycle } from "../projects/lifecycle.ts";
import { createProjectLister, type ProjectLister } from "../projects/project-list.ts";
import { createProjectStore, type ProjectStore } from "../projects/project-store.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";

/** The platform-free services every entry point (CLI, chat adapters, HTTP) shares. */
export interface CoreServices {
  config: Config;
  clock: Clock;
  store: ProjectStore;
  lifecycle: Lifecycle;
  lister: ProjectLister;
}

/** Wires the store, lifecycle and lister for one configuration. */
export function createCoreServices(
  config: Config,
  overrides: { clock?: Clock; probe?: ProcessProbe; previews?: () => ReadonlyMap<string, string> } = {},
): CoreServices {
  const clock = overrides.clock ?? systemClock;
  const store = createProjectStore({ dataDir: config.dataDir, clock });
  const lifecycle = createLifecycle({ store, clock, workspaceDir: config.workspaceDir, ...(overrides.probe ? { probe: overrides.probe } : {}) });
  const lister = createProjectLister({
    store,
    clock,
    workspaceDir: config.workspaceDir,
    ...(overrides.probe ? { probe: overrides.probe } : {}),
    ...(overrides.previews ? { previews: overrides.previews } : {}),
  });
  return { config, clock, store, lifecycle, lister };
}
