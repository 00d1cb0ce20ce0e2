import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import type { RunProgress, RunProgressListener } from "../../src/execute/run-progress.ts";
import type { ExecutorConfig } from "../../src/execute/run-plan.ts";
import { silentLogger } from "../../src/log.ts";
import { createChangeWatcher, type ChangeWatcher } from "../../src/projects/change-watcher.ts";
import { createLifecycle, type Lifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import { createProjectStore, type ProjectStore } from "../../src/projects/project-store.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { createQueueExecutor, type QueueExecutor } from "../../src/queue/queue-executor.ts";
import { readQueueRun, type QueueRun } from "../../src/queue/queue-run.ts";
import { systemClock } from "../../src/projects/clock.ts";
import type { FakeGithub } from "../fakes/github/server.ts";
import { createBareRemote, writePlanningArtifacts, type RemoteFixture } from "../helpers/git-fixtures.ts";
import type { TempDirs } from "../helpers/temp-dir.ts";

const PLANBOT = join(import.meta.dirname, "..", "..", "bin", "planbot");

/** A `planbot worker` child process with its own workspace folder. */
export interface WorkerProcess {
  pid: number;
  name: string;
  workspaceDir: string;
  child: ResultPromise;
}

/** One bot (store, lifecycle, watcher, queue executor) plus a bare remote the workers clone from. */
export interface QueueWorld {
  root: string;
  remote: RemoteFixture;
  /** The bot's executor settings (its data folder, workspaces, GIT_REMOTE_BASE, delivery). */
  config: ExecutorConfig;
  store: ProjectStore;
  lifecycle: Lifecycle;
  watcher: ChangeWatcher;
  /** The bot's queue executor; replaced by {@link QueueWorld.restartBot}. */
  executor: QueueExecutor;
  /** Every progress snapshot the bot's executors handed to their listener, in order. */
  progress: RunProgress[];
  /** Derived status transitions seen by the watcher, `slug:status` each (what the notifier announces). */
  transitions: string[];
  approve(slug: string): Promise<void>;
  entry(slug: string): Promise<ProjectEntry>;
  queueRun(slug: string): Promise<QueueRun | undefined>;
  startWorker(env?: NodeJS.ProcessEnv): Promise<WorkerProcess>;
  /**
   * planbot restarted: the executor is closed (runs go on on their workers), `whileDown` runs, and a new
   * executor reconciles.
   */
  restartBot(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** How a {@link QueueWorld}'s bot and workers are set. */
export interface QueueWorldOptions {
  lockMs?: number;
  ralphDelayMs?: number;
  stallRetries?: number;
  /** A fake GitHub the bot opens pull requests on (repository acme/shared) with `token`. */
  github?: { fake: FakeGithub; token: string };
  /** Also hears every progress snapshot (a run guard, say), after it is pushed to `progress`. */
  onProgress?: RunProgressListener;
  /** How often the bot publishes running remote runs' last progress again (the executor's default otherwise). */
  heartbeatMs?: number;
}

/** Builds the world against a Redis at `url`; close() stops the workers and the executor. */
export async function createQueueWorld(
  temp: TempDirs,
  url: string,
  options: QueueWorldOptions = {},
): Promise<QueueWorld> {
  const root = await temp.make("queue-");
  const remote = await createBareRemote(root, "shared", { ralphScript: true });
  const dataDir = join(root, "bot");
  const workspaceDir = join(dataDir, "workspace");
  const config: ExecutorConfig = {
    dataDir,
    workspaceDir,
    execute: { ralphCommand: "scripts/ralph/ralph.sh --tool claude 10", parallel: 1, gitRemoteBase: remote.base },
  };
  if (options.github) {
    // The bot holds the token and opens the pull request; the workers only push (PUSH_ON=complete).
    options.github.fake.addRepo("acme", "shared", remote.path);
    config.execute.delivery = {
      pushOn: "complete",
      github: { token: options.github.token, owner: "acme", apiUrl: options.github.fake.url, retryBaseMs: 1 },
    };
  }
  const store = createProjectStore({ dataDir, clock: systemClock });
  const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir });
  const lister = createProjectLister({ store, clock: systemClock, workspaceDir });
  const watcher = createChangeWatcher({ store, lister, clock: systemClock, dataDir, workspaceDir, debounceMs: 10 });
  await watcher.start();
  const transitions: string[] = [];
  watcher.subscribe((change) => {
    for (const item of change.changed)
      if (item.after && item.after.status !== item.before?.status)
        transitions.push(`${item.slug}:${item.after.status}`);
  });
  const progress: RunProgress[] = [];
  const startBot = () => {
    const executor = createQueueExecutor({
      store,
      lifecycle,
      config,
      queue: { url, concurrency: 1, lockMs: options.lockMs ?? 1000, stallRetries: options.stallRetries ?? 0 },
      clock: systemClock,
      log: silentLogger,
      onProgress: (snapshot) => {
        progress.push(snapshot);
        options.onProgress?.(snapshot);
      },
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    });
    return { executor, unwatch: executor.watch(watcher) };
  };
  let bot = startBot();
  const workers: WorkerProcess[] = [];
  const entry = async (slug: string) => {
    const read = await store.read();
    if (!read.ok) throw new Error(read.message);
    const found = read.file.projects?.find((project) => project.name === slug);
    if (!found) throw new Error(`no entry ${slug}`);
    return found;
  };
  return {
    root,
    remote,
    config,
    store,
    lifecycle,
    watcher,
    get executor() {
      return bot.executor;
    },
    progress,
    transitions,
    async approve(slug) {
      await writePlanningArtifacts(workspaceDir, slug);
      const proposed = await lifecycle.propose({
        slug,
        description: `project ${slug}`,
        repo: "shared",
        branch: `ralph/${slug}`,
      });
      if (!proposed.ok) throw new Error(proposed.message);
      const approved = await lifecycle.approve(slug);
      if (!approved.ok) throw new Error(approved.message);
    },
    entry,
    queueRun: async (slug) => readQueueRun(await entry(slug)),
    async startWorker(env = {}) {
      const workspace = await temp.make("worker-");
      const child = execa(PLANBOT, ["worker"], {
        cwd: workspace,
        env: {
          PLANBOT_QUEUE_URL: url,
          PLANBOT_DATA_DIR: join(workspace, "data"),
          PLANBOT_WORKSPACE_DIR: join(workspace, "ws"),
          GIT_REMOTE_BASE: remote.base,
          QUEUE_LOCK_MS: String(options.lockMs ?? 1000),
          QUEUE_STALL_RETRIES: String(options.stallRetries ?? 0),
          FAKE_RALPH_DELAY_MS: String(options.ralphDelayMs ?? 100),
          PUSH_ON: "complete",
          LOG_LEVEL: "warn",
          ...env,
        },
        reject: false,
        stdin: "ignore",
        buffer: false,
      });
      const ready = new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout!.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          const match = /planbot worker (\S+): taking runs/.exec(text);
          if (match) resolve(match[1]!);
        });
        void child.then(() => reject(new Error(`worker exited before it was ready: ${text}`)));
      });
      const worker = { pid: child.pid!, name: await ready, workspaceDir: join(workspace, "ws"), child };
      workers.push(worker);
      return worker;
    },
    async restartBot(whileDown) {
      bot.unwatch();
      await bot.executor.close();
      await whileDown?.();
      bot = startBot();
      const reconciled = await bot.executor.reconcileFinishedRuns();
      if (!reconciled.ok) throw new Error(reconciled.message);
    },
    async close() {
      bot.unwatch();
      for (const worker of workers) worker.child.kill("SIGKILL");
      await Promise.allSettled(workers.map((worker) => worker.child));
      await bot.executor.close();
      await watcher.stop();
    },
  };
}

/** Ralph runs (process groups of a ralph.sh; its subshells share the group) working under one of `dirs`. */
export function ralphsIn(dirs: string[]): number {
  const found = new Set<string>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, "utf8").includes("ralph.sh")) continue;
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (dirs.some((dir) => cwd.startsWith(dir))) found.add(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]!);
    } catch {
      // Gone meanwhile.
    }
  }
  return found.size;
}
