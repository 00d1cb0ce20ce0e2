import { join } from "node:path";
import { silentLogger } from "../../src/log.ts";
import type { Clock } from "../../src/projects/clock.ts";
import { createLifecycle, type Lifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectLister, type ProjectLister } from "../../src/projects/project-list.ts";
import { createProjectStore, type ProjectStore } from "../../src/projects/project-store.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { createExecutor, type Executor, type ExecutorDeps, type RunReport } from "../../src/execute/executor.ts";
import { deliverAfterRun } from "../../src/deliver/deliver-run.ts";
import type { ExecutorConfig } from "../../src/execute/run-plan.ts";
import { killGroups } from "../helpers/git-fixtures.ts";
import type { TempDirs } from "../helpers/temp-dir.ts";

/** A clock that moves one second forward on every reading, so timestamps order events unambiguously. */
export function tickingClock(start = Date.parse("2030-01-01T00:00:00Z")): Clock {
  let now = start;
  return { now: () => new Date((now += 1000)) };
}

/** One executor test world: temp data dir, store, lifecycle, lister and executors (all cleaned up by {@link Harness.cleanup}). */
export interface Harness {
  root: string;
  config: ExecutorConfig;
  store: ProjectStore;
  lifecycle: Lifecycle;
  lister: ProjectLister;
  clock: Clock;
  finished: RunReport[];
  executor(overrides?: Partial<ExecutorDeps>): Executor;
  /** Proposes and approves a project (in call order: approval order). */
  approve(slug: string, extra?: { repo?: string; branch?: string; base?: string }): Promise<void>;
  entry(slug: string): Promise<ProjectEntry>;
  status(slug: string): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

const live: Harness[] = [];

/** Creates a harness; `env` reaches git and Ralph (FAKE_RALPH_* variables). */
export async function createHarness(
  temp: TempDirs,
  options: {
    gitRemoteBase?: string;
    ralphCommand?: string;
    parallel?: number;
    env?: NodeJS.ProcessEnv;
    root?: string;
  } = {},
): Promise<Harness> {
  const root = options.root ?? (await temp.make("exec-"));
  const dataDir = join(root, "data");
  const config: ExecutorConfig = {
    dataDir,
    workspaceDir: join(dataDir, "workspace"),
    execute: {
      ralphCommand: options.ralphCommand ?? "scripts/ralph/ralph.sh --tool claude 10",
      parallel: options.parallel ?? 1,
      ...(options.gitRemoteBase ? { gitRemoteBase: options.gitRemoteBase } : {}),
    },
  };
  const clock = tickingClock();
  const store = createProjectStore({ dataDir, clock });
  const lifecycle = createLifecycle({ store, clock, workspaceDir: config.workspaceDir });
  // Wired as src/projects/core-services.ts wires it: a running RALPH_COMMAND script is running-ralph.
  const lister = createProjectLister({
    store,
    clock,
    workspaceDir: config.workspaceDir,
    ralphCommand: config.execute.ralphCommand,
  });
  const executors: Executor[] = [];
  const finished: RunReport[] = [];
  const harness: Harness = {
    root,
    config,
    store,
    lifecycle,
    lister,
    clock,
    finished,
    executor(overrides = {}) {
      const executor = createExecutor({
        store,
        lifecycle,
        lister,
        config,
        clock,
        log: silentLogger,
        // An ordinary user on an ordinary host, whoever runs the tests: the preflight's root check and the
        // fake agent's root refusal see the same uid (tests of root set both).
        env: { ...process.env, FAKE_RALPH_DELAY_MS: "20", FAKE_RALPH_UID: "1000", ...options.env },
        host: { uid: 1000, inContainer: false },
        onFinished: (report) => finished.push(report),
        // Wired as the runtime wires it (src/runtime/choose-executor.ts): delivers only when PUSH_ON says so.
        afterRecorded: deliverAfterRun,
        killGraceMs: 500,
        ...overrides,
      });
      executors.push(executor);
      return executor;
    },
    async approve(slug, extra = {}) {
      const proposed = await lifecycle.propose({ slug, description: `project ${slug}`, ...extra });
      if (!proposed.ok) throw new Error(proposed.message);
      const approved = await lifecycle.approve(slug);
      if (!approved.ok) throw new Error(approved.message);
    },
    async entry(slug) {
      const read = await store.read();
      if (!read.ok) throw new Error(read.message);
      const entry = read.file.projects?.find((p) => p.name === slug);
      if (!entry) throw new Error(`no entry ${slug}`);
      return entry;
    },
    async status(slug) {
      const got = await lister.get(slug);
      if (!got.ok) throw new Error(got.message);
      return got.record?.status;
    },
    async cleanup() {
      const read = await store.read();
      if (read.ok) killGroups((read.file.projects ?? []).flatMap((p) => (typeof p.pid === "number" ? [p.pid] : [])));
      await Promise.all(executors.map((executor) => executor.stop()));
    },
  };
  live.push(harness);
  return harness;
}

/** Cleans up every harness made so far: kills the process groups of stored PIDs and stops executors. */
export async function cleanupHarnesses(): Promise<void> {
  const all = live.splice(0);
  await Promise.all(all.map((harness) => harness.cleanup()));
}
