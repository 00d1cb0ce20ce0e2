/**
 * The dashboard's two costs over a generated data dir of 1,000 projects (each with a prd.json, all in
 * approved-tasks.json), on loopback in this process:
 *
 * 1. `GET /api/projects` requests per second, warm: 4 keep-alive clients, bounded by a request count and
 *    a time limit. Every answer is the watcher's list, serialised once and shared.
 * 2. The SSE idle cost: CPU seconds (process.cpuUsage) of the dashboard with 10 connected stream
 *    clients over a window, against a seed-style loop over the same projects and window — per client,
 *    every 2 s, stat every prd.json and .ralph.pid, read approved-tasks.json and hash (the seed's
 *    `_compute_signature` minus git). Goal: ours ≤ 0.1 × seed. The window is 10 s, or 60 s with
 *    BENCH_FULL=1 (the figure; only a 60 s window includes the watcher's 30 s rescans).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { startDashboardAdapter } from "../src/adapters/http/index.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { TASKS_FILE_NAME } from "../src/projects/project-store.ts";
import { workspacePaths } from "../src/projects/workspace.ts";
import { createRuntime } from "../src/runtime/runtime.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import type { BenchResult } from "./bench-result.ts";

const PROJECTS = 1000;
const CLIENTS = 4;
const MAX_REQUESTS = 3000;
const MAX_SECONDS = 10;
const STREAM_CLIENTS = 10;
const SEED_INTERVAL_MS = 2000;

/** Runs the dashboard bench and returns its result lines. */
export async function benchHttp(): Promise<BenchResult[]> {
  const windowSeconds = process.env.BENCH_FULL === "1" ? 60 : 10;
  const root = await makeTempDir("bench-http-");
  try {
    await generate(root);
    const loaded = loadConfig({ PLANBOT_DATA_DIR: root, DASHBOARD_PORT: "0", LOG_LEVEL: "silent" }, root);
    if (!loaded.ok) throw new Error(loaded.message);
    // The baseline first, with nothing else of planbot running in the process.
    const seedCpu = await seedLoop(root, loaded.config.workspaceDir, windowSeconds);
    const runtime = createRuntime(loaded.config, silentLogger);
    await runtime.watcher.start();
    const dashboard = await startDashboardAdapter(runtime);
    try {
      // Idle first: after the throughput run the collector would still be cleaning up its garbage.
      const ours = await idleStreams(dashboard.port, windowSeconds);
      const list = await requestsPerSecond(dashboard.port);
      // What one of the watcher's 30 s full rescans costs: the part of the idle cost that is not the dashboard's.
      const rescanStart = process.cpuUsage();
      await runtime.watcher.refresh();
      const rescan = process.cpuUsage(rescanStart);
      const ratio = ours.cpuSeconds / seedCpu;
      return [
        {
          name: `http: GET /api/projects, ${PROJECTS} projects, warm, ${CLIENTS} keep-alive clients`,
          figures: {
            requests: list.requests,
            seconds: list.seconds,
            per_second: list.perSecond,
            mean_ms: list.meanMs,
            p95_ms: list.p95Ms,
            cpu_ms_per_request: list.cpuMsPerRequest,
            kb_per_answer: list.kilobytes,
          },
        },
        {
          name: `sse: ${STREAM_CLIENTS} idle stream clients, ${windowSeconds} s window${windowSeconds === 60 ? "" : " (BENCH_FULL=1 for 60 s)"}`,
          figures: {
            cpu_s: ours.cpuSeconds,
            clients: ours.clients,
            frames: ours.frames,
            watcher_rescan_cpu_ms: (rescan.user + rescan.system) / 1000,
          },
        },
        {
          name: "sse: seed-style signature loop, every 2 s per client, same window",
          figures: { cpu_s: seedCpu, clients: STREAM_CLIENTS },
        },
        {
          name: "sse: idle cost vs seed loop",
          figures: { ours_cpu_s: ours.cpuSeconds, seed_cpu_s: seedCpu },
          ratio: { value: ratio, goal: "≤ 0.1", met: ratio <= 0.1 },
        },
      ];
    } finally {
      await dashboard.stop();
      await runtime.watcher.stop();
    }
  } finally {
    await removeTempDir(root);
  }
}

/** A data dir like a real one: 1,000 workspaces with a prd.json each, and every project in the store. */
export async function generate(root: string): Promise<void> {
  const workspaceDir = join(root, "workspace");
  const projects = [];
  for (let index = 0; index < PROJECTS; index += 1) {
    const slug = `project-${String(index).padStart(4, "0")}`;
    const paths = workspacePaths(workspaceDir, slug);
    await mkdir(join(paths.ralph, "logs"), { recursive: true });
    const userStories = Array.from({ length: 6 }, (_, story) => ({
      id: `US-${story + 1}`,
      title: `Story ${story + 1} of ${slug}`,
      description: "As a user I want this so that that.",
      acceptanceCriteria: ["it works", "it is tested"],
      priority: story + 1,
      passes: story < index % 7,
      notes: "",
    }));
    await writeFile(
      paths.prd,
      JSON.stringify(
        { project: slug, branchName: `ralph/${slug}`, description: `Project ${index}`, userStories },
        null,
        2,
      ),
    );
    projects.push({
      name: slug,
      description: `Project number ${index}, generated for the dashboard bench.`,
      status: ["pending", "approved", "complete", "planning"][index % 4],
      planning_session_id: null,
      final_plan_path: null,
      repo: null,
      branch: null,
      base_branch: null,
      proposed_at: "2026-01-01T00:00:00.000Z",
      approved_at: null,
      started_at: null,
      pid: null,
    });
  }
  await writeFile(
    join(root, TASKS_FILE_NAME),
    JSON.stringify({ projects, last_updated: "2026-01-01T00:00:00.000Z", version: PROJECTS }, null, 2),
  );
}

/** `GET path` on a keep-alive agent; resolves with the body size. */
function get(port: number, agent: Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${path} answered ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

async function requestsPerSecond(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    let kilobytes = 0;
    for (let warm = 0; warm < 20; warm += 1) kilobytes = (await get(port, agent, "/api/projects")) / 1024;
    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + MAX_SECONDS * 1000;
    let issued = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (issued < MAX_REQUESTS && performance.now() < deadline) {
          issued += 1;
          const begun = performance.now();
          await get(port, agent, "/api/projects");
          latencies.push(performance.now() - begun);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      seconds,
      perSecond: latencies.length / seconds,
      meanMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
      p95Ms: latencies[Math.floor(latencies.length * 0.95)] ?? 0,
      kilobytes,
      // Server and client share this process: CPU per request (both sides) is the figure a busy machine cannot skew.
      cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / latencies.length,
    };
  } finally {
    agent.destroy();
  }
}

/** Connects the stream clients, lets them sit for the window, and returns the process's CPU over it. */
async function idleStreams(port: number, windowSeconds: number) {
  let frames = 0;
  const requests = await Promise.all(
    Array.from(
      { length: STREAM_CLIENTS },
      () =>
        new Promise<ReturnType<typeof request>>((resolve, reject) => {
          const req = request({ host: "127.0.0.1", port, path: "/api/projects/stream" }, (res) => {
            let buffered = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              buffered += chunk;
              if (buffered.includes("\n\n")) {
                frames += buffered.split("\n\n").length - 1;
                buffered = buffered.slice(buffered.lastIndexOf("\n\n") + 2);
                resolve(req);
              }
            });
          });
          req.on("error", reject);
          req.end();
        }),
    ),
  );
  // Let start-up work (the watcher's first snapshot, the snapshots just sent, their garbage) settle first.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
  const used = process.cpuUsage(before);
  const clients = requests.length;
  for (const req of requests) req.destroy();
  return { cpuSeconds: (used.user + used.system) / 1e6, clients, frames };
}

/** The seed's `_compute_signature` without git: synchronous, like the seed's handler thread. */
function seedSignature(dataDir: string, workspaceDir: string): string {
  const marks: Array<[string, number, number]> = [];
  for (const name of readdirSync(workspaceDir).sort()) {
    const entry = join(workspaceDir, name);
    if (name.startsWith(".") || !statSync(entry).isDirectory()) continue;
    const ralph = join(entry, "scripts", "ralph");
    const prd = join(ralph, "prd.json");
    const pid = join(ralph, ".ralph.pid");
    marks.push([
      name,
      existsSync(prd) ? statSync(prd).mtimeMs / 1000 : 0,
      existsSync(pid) ? statSync(pid).mtimeMs / 1000 : 0,
    ]);
  }
  const approved = JSON.parse(readFileSync(join(dataDir, TASKS_FILE_NAME), "utf8")) as { version?: number };
  const hash = createHash("sha256")
    .update(String(marks.length))
    .update(String(approved.version ?? 0));
  for (const [name, prdTime, pidTime] of marks) hash.update(name).update(`${prdTime.toFixed(3)}|${pidTime.toFixed(3)}`);
  return hash.digest("hex");
}

/** One timer per client, each recomputing the signature every 2 s (staggered like independent threads). */
async function seedLoop(dataDir: string, workspaceDir: string, windowSeconds: number): Promise<number> {
  const timers: NodeJS.Timeout[] = [];
  const before = process.cpuUsage();
  for (let client = 0; client < STREAM_CLIENTS; client += 1) {
    const offset = (SEED_INTERVAL_MS / STREAM_CLIENTS) * client;
    timers.push(
      setTimeout(() => {
        seedSignature(dataDir, workspaceDir);
        timers.push(setInterval(() => seedSignature(dataDir, workspaceDir), SEED_INTERVAL_MS));
      }, offset),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
  for (const timer of timers) clearInterval(timer);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}
