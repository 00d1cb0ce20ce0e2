// A real runtime over a temp PLANBOT_DATA_DIR, the fake Claude CLI as planner, and the dashboard on a
// random loopback port; plus a raw node:http client, so tests can send any header (Origin, Host, …).
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startDashboardAdapter, type DashboardOptions, type RunningDashboard } from "../../src/adapters/http/index.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

/** One started dashboard and what the tests need around it. */
export interface Harness {
  dir: string;
  runtime: Runtime;
  dashboard: RunningDashboard;
  origin: string;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** Writes approved-tasks.json directly (one write, no lock: the dashboard is not running a mutation yet). */
  writeStore(
    entries: Array<{ name: string; status: string; description?: string; extra?: Record<string, unknown> }>,
    version: number,
  ): Promise<void>;
  /** Writes a prd.json with `total` stories of which `done` pass. */
  writePrd(slug: string, total: number, done: number): Promise<void>;
  /** Stops the dashboard (as planbot going away does): its streams end, its port refuses connections. */
  stopDashboard(): Promise<void>;
  /** Starts the dashboard again on the same port (a restart), optionally with another DASHBOARD_TOKEN. */
  startDashboard(changes?: { token?: string }): Promise<void>;
}

/** Options of {@link Harness.call}. */
export interface CallOptions {
  /** An object is sent as JSON; a string as is (set the content type yourself). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** What came back. */
export interface CallResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

const temp = createTempDirs();
const started: Array<() => Promise<void>> = [];
const stopping = new Set<() => Promise<void>>();

/**
 * Calls `listener` at the start of every {@link stopHarnesses}, while the servers still answer: the browser
 * harness closes its pages there, so a server going away after the test is not counted as the test's failure.
 */
export function beforeHarnessesStop(listener: () => Promise<void>): void {
  stopping.add(listener);
}

/** Starts a harness; {@link stopHarnesses} (in afterEach) stops everything started. */
export async function startHarness(
  settings: {
    env?: Record<string, string>;
    processEnv?: Record<string, string>;
    options?: DashboardOptions;
    watch?: boolean;
    /** The watcher's debounce: a long one keeps a file change unseen until the test calls `watcher.refresh()`. */
    watcherDebounceMs?: number;
  } = {},
): Promise<Harness> {
  const dir = await temp.make("http-");
  const claudeDir = join(dir, "claude-config");
  await mkdir(claudeDir, { recursive: true });
  const loaded = loadConfig(
    { PLANBOT_DATA_DIR: dir, PLANNER_COMMAND: fakeClaudePath, DASHBOARD_PORT: "0", ...settings.env },
    dir,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, {
    env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir, ...settings.processEnv },
    ...(settings.watcherDebounceMs ? { watcherDebounceMs: settings.watcherDebounceMs } : {}),
  });
  if (settings.watch) {
    await runtime.watcher.start();
    runtime.onStop(() => runtime.watcher.stop());
  }
  let dashboard: RunningDashboard | undefined = await startDashboardAdapter(runtime, settings.options);
  const port = dashboard.port;
  runtime.onStop(() => dashboard?.stop() ?? Promise.resolve());
  started.push(() => runtime.stop());
  const origin = `http://127.0.0.1:${port}`;
  return {
    dir,
    runtime,
    get dashboard() {
      if (!dashboard) throw new Error("the dashboard is stopped");
      return dashboard;
    },
    origin,
    call: (method, path, options = {}) => call(port, method, path, options),
    async stopDashboard() {
      const stopping = dashboard;
      dashboard = undefined;
      await stopping?.stop();
    },
    async startDashboard(changes = {}) {
      if (dashboard) throw new Error("the dashboard is running");
      const settingsNow = {
        ...runtime.config.dashboard,
        port,
        ...("token" in changes ? { token: changes.token } : {}),
      };
      dashboard = await startDashboardAdapter(
        { ...runtime, config: { ...runtime.config, dashboard: settingsNow } },
        settings.options,
      );
    },
    async writeStore(entries, version) {
      const projects = entries.map((entry) => ({
        name: entry.name,
        description: entry.description ?? `The ${entry.name} project.`,
        status: entry.status,
        planning_session_id: null,
        final_plan_path: null,
        repo: null,
        branch: null,
        base_branch: null,
        proposed_at: "2026-01-01T00:00:00.000Z",
        approved_at: entry.status === "approved" ? "2026-01-02T00:00:00.000Z" : null,
        started_at: null,
        pid: null,
        ...entry.extra,
      }));
      await writeFile(
        join(dir, TASKS_FILE_NAME),
        JSON.stringify({ projects, last_updated: "2026-01-02T00:00:00.000Z", version }),
      );
    },
    async writePrd(slug, total, done) {
      const paths = workspacePaths(loaded.config.workspaceDir, slug);
      await mkdir(paths.ralph, { recursive: true });
      const userStories = Array.from({ length: total }, (_, index) => ({
        id: `US-${index + 1}`,
        title: `Story ${index + 1}`,
        description: "A story.",
        acceptanceCriteria: ["it works"],
        priority: index + 1,
        passes: index < done,
        notes: "",
      }));
      await writeFile(
        paths.prd,
        JSON.stringify({ project: slug, branchName: `ralph/${slug}`, description: "test", userStories }),
      );
    },
  };
}

/** Stops every harness started so far and removes their folders. */
export async function stopHarnesses(): Promise<void> {
  for (const listener of stopping) await listener();
  for (const stop of started.splice(0).reverse()) await stop();
  await temp.cleanup();
}

/** One HTTP request to the dashboard on 127.0.0.1, without keep-alive. */
export function call(port: number, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (typeof options.body !== "string" && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type"))
      headers["Content-Type"] = "application/json";
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path, headers: { Connection: "close", ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
