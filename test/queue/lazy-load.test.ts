// Libraries only some paths use load when one is taken, not with the runtime: a runtime built without
// PLANBOT_QUEUE_URL (every `planbot start` without one) loads neither BullMQ, ioredis, Octokit nor execa
// (until a child process runs), and one built with it gets the queue's executor all the same, talking to a
// real redis-server.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { startRedis } from "../helpers/redis-server.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const temp = createTempDirs();
const runtimes: Runtime[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  for (const stop of stops.splice(0).reverse()) await stop();
  await temp.cleanup();
});

/**
 * A child node (through tsx, as the tests run the sources) that builds the runtime for `env` and prints
 * every module URL the ESM loader loaded, as the hook registered first saw them.
 */
const PROBE = `
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const { port1, port2 } = new MessageChannel();
const loaded = [];
port1.on("message", (url) => loaded.push(url));
port1.unref();
register(
  "data:text/javascript,let port;export function initialize(data){port=data.port}export async function load(url,context,next){port.postMessage(url);return next(url,context)}",
  import.meta.url,
  { data: { port: port2 }, transferList: [port2] },
);
const { loadConfig } = await import("./src/config.ts");
const { createRuntime } = await import("./src/runtime/runtime.ts");
const { silentLogger } = await import("./src/log.ts");
const loadedConfig = loadConfig(process.env, process.env.PLANBOT_DATA_DIR);
if (!loadedConfig.ok) throw new Error(loadedConfig.message);
const runtime = createRuntime(loadedConfig.config, silentLogger);
await new Promise((resolve) => setTimeout(resolve, 200));
await runtime.stop();
process.stdout.write(JSON.stringify(loaded));
`;

async function modulesLoadedBy(env: Record<string, string>): Promise<string[]> {
  const child = await execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", PROBE], {
    cwd: repoRoot,
    env,
    extendEnv: false,
    timeout: 60_000,
  });
  return JSON.parse(child.stdout) as string[];
}

describe("libraries only some paths use", () => {
  it("are not loaded by a runtime without PLANBOT_QUEUE_URL, nor is execa before a child runs", async () => {
    const root = await temp.make("lazy-queue-");
    const loaded = await modulesLoadedBy({ PATH: process.env.PATH ?? "", PLANBOT_DATA_DIR: join(root, "data") });
    // The probe saw the runtime's own modules, so an empty list below is not a blind hook.
    expect(loaded.some((url) => url.endsWith("/src/runtime/runtime.ts"))).toBe(true);
    expect(loaded.some((url) => url.includes("/node_modules/zod/"))).toBe(true);
    expect(loaded.filter((url) => /\/node_modules\/(bullmq|ioredis|@octokit|execa)\//.test(url))).toEqual([]);
  });

  it("are loaded with it, and the runtime's executor queues on that Redis", async () => {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const root = await temp.make("lazy-queue-");
    const loaded = loadConfig(
      { PLANBOT_DATA_DIR: join(root, "data"), PLANBOT_QUEUE_URL: redis.url, GIT_REMOTE_BASE: "file:///srv/git" },
      root,
    );
    if (!loaded.ok) throw new Error(loaded.message);
    const runtime = createRuntime(loaded.config, silentLogger);
    runtimes.push(runtime);
    const proposed = await runtime.core.lifecycle.propose({ slug: "queued-app", description: "A queued app" });
    expect(proposed.ok).toBe(true);
    const approved = await runtime.core.lifecycle.approve("queued-app");
    expect(approved.ok).toBe(true);

    const dry = await runtime.executor.runOnce({ dryRun: true });
    if (!dry.ok) throw new Error(dry.message);
    expect(dry.runs.map((run) => [run.slug, run.outcome])).toEqual([["queued-app", "dry-run"]]);
    expect(dry.runs[0]!.message).toContain(`would queue on redis://127.0.0.1:${redis.port} for a worker`);
    // The queue executor always can stop a remote run; a project with none says so.
    const stopped = await runtime.executor.stopRun!("queued-app", "cancelled");
    expect(stopped).toMatchObject({ ok: true, stopped: false });
  });
});
