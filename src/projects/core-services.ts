import type { Config } from "../config.ts";
import { systemClock, type Clock } from "./clock.ts";
import { createLifecycle, type Lifecycle } from "./lifecycle.ts";
import type { ProcessProbe } from "./process-probe.ts";
import { createProjectLister, type ProjectLister } from "./project-list.ts";
import { createProjectStore, type ProjectStore } from "./project-store.ts";

/** The platform-free project services every entry point (CLI, chat adapters, HTTP) shares. */
export interface CoreServices {
  config: Config;
  clock: Clock;
  store: ProjectStore;
  lifecycle: Lifecycle;
  lister: ProjectLister;
}

/** Test seams of the project services. */
export interface CoreOverrides {
  clock?: Clock | undefined;
  probe?: ProcessProbe | undefined;
}

/** The store and lifecycle: what planning and the executor build on, before any lister exists. */
export function createStoreServices(
  config: Config,
  overrides: CoreOverrides = {},
): Pick<CoreServices, "config" | "clock" | "store" | "lifecycle"> {
  const clock = overrides.clock ?? systemClock;
  const store = createProjectStore({ dataDir: config.dataDir, clock });
  const lifecycle = createLifecycle({
    store,
    clock,
    workspaceDir: config.workspaceDir,
    ...(overrides.probe ? { probe: overrides.probe } : {}),
  });
  return { config, clock, store, lifecycle };
}

/** Adds the lister on top; `previews` (planning's live summaries) is read when a list is computed. */
export function withLister(
  base: Pick<CoreServices, "config" | "clock" | "store" | "lifecycle">,
  overrides: CoreOverrides & { previews?: () => ReadonlyMap<string, string> } = {},
): CoreServices {
  const lister = createProjectLister({
    store: base.store,
    clock: base.clock,
    workspaceDir: base.config.workspaceDir,
    ralphCommand: base.config.execute.ralphCommand,
    ...(overrides.probe ? { probe: overrides.probe } : {}),
    ...(overrides.previews ? { previews: overrides.previews } : {}),
  });
  return { ...base, lister };
}

/** Wires the store, lifecycle and lister for one configuration (the CLI's and tests' entry). */
export function createCoreServices(
  config: Config,
  overrides: CoreOverrides & { previews?: () => ReadonlyMap<string, string> } = {},
): CoreServices {
  return withLister(createStoreServices(config, overrides), overrides);
}
