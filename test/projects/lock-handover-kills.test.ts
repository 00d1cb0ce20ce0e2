import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { TasksFileSchema } from "../../src/projects/schemas.ts";
import { mulberry32 } from "../helpers/seeded-random.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";
import { startStoreWorker } from "../helpers/store-worker-process.ts";

/** Workers still running when a test ends (it failed or timed out) are killed before their folder goes. */
const { temp, defer } = useCleanups();

const PROCESSES = 4;
const KILLS = 6;
// Long enough that a live holder starved of CPU on a busy machine still refreshes its lock in time (its refresh
// runs every STALE_MS/2); short enough that six dead holders are recovered within the test.
const STALE_MS = 5000;

interface OkLine {
  type: "ok";
  version: number;
  slug: string;
}

/** A `loop` store worker: mutates until killed, one JSON line per acknowledged write. */
function startLoopWorker(dataDir: string, id: number) {
  const child = startStoreWorker({ dataDir, id, mode: "loop", staleMs: STALE_MS }, { reject: false, timeout: 150_000 });
  defer(() => killAndWait(child));
  const oks: OkLine[] = [];
  const failures: string[] = [];
  let wake: (() => void) | undefined;
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let index = buffer.indexOf("\n"); index >= 0; index = buffer.indexOf("\n")) {
      const line = JSON.parse(buffer.slice(0, index)) as { type: string; code?: string; message?: string };
      buffer = buffer.slice(index + 1);
      if (line.type === "ok") oks.push(line as OkLine);
      if (line.type === "failed") failures.push(`${line.code} ${line.message}`);
    }
    wake?.();
  });
  let exited = false;
  void child.then(() => {
    exited = true;
    wake?.();
  });
  return {
    oks,
    failures,
    async waitForOks(count: number): Promise<void> {
      while (oks.length < count) {
        if (exited) throw new Error(`worker ${id} exited early: ${(await child).stderr}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async kill(): Promise<void> {
      child.kill("SIGKILL");
      await child;
    },
  };
}

describe("lock hand-over under contention with crashes", () => {
  it(`${PROCESSES} contending processes, ${KILLS} of them SIGKILLed at random points: every acknowledged write is unique and kept`, {
    timeout: 180_000,
  }, async () => {
    const dataDir = await temp.make("handover-kills-");
    const store = createProjectStore({ dataDir, clock: systemClock, staleLockMs: STALE_MS });
    const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
    expect((await lifecycle.propose({ slug: "shared", description: "Bumped by every worker" })).ok).toBe(true);
    const rand = mulberry32(20261201);

    let nextId = 1;
    const slots = Array.from({ length: PROCESSES }, () => startLoopWorker(dataDir, nextId++));
    const all = [...slots];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const slot = Math.floor(rand() * PROCESSES);
      const victim = slots[slot]!;
      // Kill it a few writes further on, at a random moment (often while it holds the lock or waits for it).
      await victim.waitForOks(victim.oks.length + 2 + Math.floor(rand() * 8));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 40)));
      await victim.kill();
      const replacement = startLoopWorker(dataDir, nextId++);
      slots[slot] = replacement;
      all.push(replacement);
    }
    // Let the survivors and replacements hand the lock around a while longer, then stop them all.
    await Promise.all(slots.map((worker) => worker.waitForOks(worker.oks.length + 5)));
    for (const worker of slots) await worker.kill();

    for (const worker of all) expect(worker.failures).toEqual([]);
    const oks = all.flatMap((worker) => worker.oks);
    // Mutual exclusion: two writers inside the lock at once would read the same version and both write the next.
    const versions = oks.map((ok) => ok.version);
    expect(new Set(versions).size).toBe(versions.length);

    const file = TasksFileSchema.parse(JSON.parse(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")));
    const maxAcknowledged = Math.max(...versions);
    // Each killed process may have landed one write it never acknowledged; every stop is a SIGKILL.
    const unacknowledgedAtMost = KILLS + PROCESSES;
    expect(file.version).toBeGreaterThanOrEqual(maxAcknowledged);
    expect(file.version! - 1).toBeLessThanOrEqual(oks.length + unacknowledgedAtMost);
    expect(file.version! - 1).toBeGreaterThanOrEqual(oks.length);
    // No lost update: the shared counter holds at least every acknowledged bump.
    const sharedBumps = oks.filter((ok) => ok.slug === "shared").length;
    const shared = file.projects?.find((entry) => entry.name === "shared") as { hits?: number } | undefined;
    expect(shared?.hits ?? 0).toBeGreaterThanOrEqual(sharedBumps);
    expect(shared?.hits ?? 0).toBeLessThanOrEqual(sharedBumps + unacknowledgedAtMost);
    const names = new Set(file.projects?.map((entry) => entry.name));
    for (const ok of oks) expect(names.has(ok.slug), ok.slug).toBe(true);
  });
});
