import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/projects/clock.ts";
import { createLifecycle, type Lifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import { createProjectStore, TASKS_FILE_NAME, type ProjectStore } from "../../src/projects/project-store.ts";
import type { Result } from "../../src/projects/result.ts";
import { TasksFileSchema } from "../../src/projects/schemas.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";

/** Where the store's released lock folders are removed (src/projects/released-locks.ts). */
const RELEASED_LOCKS = `.${TASKS_FILE_NAME}.lock.released`;

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const workerPath = join(repoRoot, "test", "helpers", "store-worker.ts");
const STALE_MS = 2000;
/** Child processes and fsyncs: generous limits for a busy machine (the checks themselves are not about speed). */
const SLOW = { timeout: 120_000 };
const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
/** Workers still running when a test ends (it failed or timed out) are killed before their folder goes. */
const { temp, defer } = useCleanups();

interface WorkerLine {
  type: string;
  version?: number;
  slug?: string;
  code?: string;
}

/** A store worker child whose JSON lines can be awaited while it runs. */
function startWorker(args: string[]) {
  const child: ResultPromise<{ cwd: string; reject: false; timeout: number }> = execa(
    "node",
    ["--import", "tsx", workerPath, ...args],
    {
      cwd: repoRoot,
      reject: false,
      timeout: 60_000,
    },
  );
  defer(() => killAndWait(child));
  const lines: WorkerLine[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let index = buffer.indexOf("\n"); index >= 0; index = buffer.indexOf("\n")) {
      lines.push(JSON.parse(buffer.slice(0, index)) as WorkerLine);
      buffer = buffer.slice(index + 1);
    }
    wake?.();
  });
  void child.then(() => {
    exited = true;
    wake?.();
  });
  return {
    child,
    lines,
    async waitFor(predicate: (lines: WorkerLine[]) => boolean): Promise<void> {
      while (!predicate(lines)) {
        if (exited)
          throw new Error(
            `worker exited before the expected output; stdout: ${JSON.stringify(lines)}; stderr: ${(await child).stderr}`,
          );
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async kill() {
      child.kill("SIGKILL");
      const result = await child;
      expect(result.signal).toBe("SIGKILL");
    },
  };
}

/** mulberry32, so the kill points are reproducible run to run (their timing still varies, the checks do not). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function readTasks(dataDir: string) {
  const text = await readFile(join(dataDir, TASKS_FILE_NAME), "utf8");
  return TasksFileSchema.parse(JSON.parse(text));
}

function setup(dataDir: string): { store: ProjectStore; lifecycle: Lifecycle } {
  const store = createProjectStore({ dataDir, clock, staleLockMs: STALE_MS });
  return { store, lifecycle: createLifecycle({ store, clock, workspaceDir: join(dataDir, "workspace") }) };
}

describe("writers killed with SIGKILL", () => {
  it(
    "a holder killed inside the lock leaves a parsable file and a lock the next writer takes within the stale timeout",
    SLOW,
    async () => {
      const dataDir = await temp.make("kill-hold-");
      const { lifecycle } = setup(dataDir);
      expect((await lifecycle.propose({ slug: "before", description: "Written before the crash" })).ok).toBe(true);
      const before = await readFile(join(dataDir, TASKS_FILE_NAME));

      const worker = startWorker([
        "--data-dir",
        dataDir,
        "--id",
        "1",
        "--mode",
        "hold",
        "--stale-ms",
        String(STALE_MS),
      ]);
      await worker.waitFor((lines) => lines.some((line) => line.type === "holding"));
      await worker.kill();
      // The dead holder's lock is still there; the file is the one before the crash.
      expect(existsSync(join(dataDir, `${TASKS_FILE_NAME}.lock`))).toBe(true);
      expect((await readFile(join(dataDir, TASKS_FILE_NAME))).equals(before)).toBe(true);

      const started = Date.now();
      const after = await lifecycle.propose({ slug: "after", description: "Written after the crash" });
      const waited = Date.now() - started;
      expect(after).toMatchObject({ ok: true, version: 2 });
      // Taken over once the dead holder's lock went stale (≤ STALE_MS after its last refresh), well inside the
      // store's own retry window (3 × STALE_MS, after which the lock attempt would have failed instead).
      expect(waited).toBeLessThan(STALE_MS * 2.5);
      const file = await readTasks(dataDir);
      expect(file.projects?.map((entry) => entry.name)).toEqual(["before", "after"]);
      expect(existsSync(join(dataDir, `${TASKS_FILE_NAME}.lock`))).toBe(false);
    },
  );

  it("writers killed at random points never leave a torn file nor lose an acknowledged write", SLOW, async () => {
    const dataDir = await temp.make("kill-random-");
    const { lifecycle, store } = setup(dataDir);
    expect((await lifecycle.propose({ slug: "shared", description: "Hit by every round" })).ok).toBe(true);
    const rand = seeded(20250301);
    const acknowledged = new Set<string>(["shared"]);
    let version = 1;

    for (let round = 1; round <= 4; round += 1) {
      const worker = startWorker([
        "--data-dir",
        dataDir,
        "--id",
        String(round),
        "--mode",
        "loop",
        "--stale-ms",
        String(STALE_MS),
      ]);
      // The next writer after a crash: it must get the lock (possibly a dead holder's) and make progress.
      const okCount = 2 + Math.floor(rand() * 12);
      await worker.waitFor((lines) => lines.filter((line) => line.type === "ok").length >= okCount);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 60)));
      await worker.kill();

      const oks = worker.lines.filter((line) => line.type === "ok");
      expect(worker.lines.filter((line) => line.type === "failed")).toEqual([]);
      for (const line of oks) acknowledged.add(line.slug!);
      const lastAcknowledged = oks.at(-1)!.version!;
      expect(lastAcknowledged).toBe(version + oks.length);

      const file = await readTasks(dataDir);
      // Either the write in flight at the kill landed whole, or not at all.
      expect([lastAcknowledged, lastAcknowledged + 1]).toContain(file.version);
      const names = new Set(file.projects?.map((entry) => entry.name));
      for (const slug of acknowledged) expect(names.has(slug), slug).toBe(true);
      version = file.version!;
    }

    const last = await lifecycle.update("shared", (entry) => {
      entry.note = "after the last crash";
    });
    expect(last).toMatchObject({ ok: true, version: version + 1 });
    const read = await store.read();
    expect(read.ok && read.file.version).toBe(version + 1);
    // A writer killed between creating its temp file and renaming it leaves the temp file (or the second
    // name of the file it replaced); a process's first write sweeps them (and a minute later the next one
    // does), so nothing eats the disk forever.
    const fresh = startWorker(["--data-dir", dataDir, "--id", "9", "--mode", "once", "--stale-ms", String(STALE_MS)]);
    await fresh.waitFor((lines) => lines.some((line) => line.type === "ok" || line.type === "failed"));
    expect((await fresh.child).exitCode).toBe(0);
    expect(fresh.lines.filter((line) => line.type === "ok")).toHaveLength(1);
    expect(readdirSync(dataDir).filter((name) => name.endsWith(".tmp") || name.endsWith(".old"))).toEqual([]);
  });
});

const CORRUPT_CASES: Array<{ name: string; text: string; problem: RegExp }> = [
  { name: "truncated JSON", text: '{"projects": [{"name": "alpha", "status": "pen', problem: /not valid JSON/ },
  { name: "empty file", text: "", problem: /not valid JSON/ },
  { name: "projects is not a list", text: '{"projects": "alpha", "version": 3}\n', problem: /projects/ },
  { name: "negative version", text: '{"projects": [], "version": -1}\n', problem: /version/ },
  {
    name: "entry without a name",
    text: '{"projects": [{"status": "pending"}], "version": 2}\n',
    problem: /projects\.0\.name/,
  },
  { name: "top-level array", text: '[{"name": "alpha"}]\n', problem: /\(root\)/ },
];

describe("a corrupt approved-tasks.json", () => {
  it.each(CORRUPT_CASES)(
    "$name: left byte for byte, every mutation and read reports it naming the file",
    SLOW,
    async ({ text, problem }) => {
      const dataDir = await temp.make("corrupt-");
      const path = join(dataDir, TASKS_FILE_NAME);
      await writeFile(path, text);
      utimesSync(path, 1_700_000_000, 1_700_000_000);
      const before = statSync(path, { bigint: true });
      const { store, lifecycle } = setup(dataDir);

      const attempts: Array<[string, Promise<Result<object>>]> = [
        ["propose", lifecycle.propose({ slug: "beta", description: "A new project" })],
        ["approve", lifecycle.approve("alpha")],
        ["unapprove", lifecycle.unapprove("alpha")],
        ["cancel", lifecycle.cancel("alpha", { expectedVersion: 2 })],
        ["startPlanning", lifecycle.startPlanning("alpha", { description: "Plan it", force: true })],
        ["linkPlanningSession", lifecycle.linkPlanningSession("alpha", "s-1")],
        ["finalize", lifecycle.finalize("alpha", "/tmp/plan.md")],
        ["cancelPlanning", lifecycle.cancelPlanning("alpha")],
        ["update", lifecycle.update("alpha", (entry) => void (entry.pid = 1))],
        ["store.mutate", store.mutate((file) => (file.projects.push({ name: "gamma" }), { ok: true }))],
        ["store.read", store.read()],
        ["lister.list", createProjectLister({ store, clock, workspaceDir: join(dataDir, "workspace") }).list()],
      ];
      for (const [name, attempt] of attempts) {
        const result = await attempt;
        expect(result.ok, name).toBe(false);
        if (result.ok) continue;
        expect(result.code, name).toBe("store_corrupt");
        expect(result.message, name).toContain(path);
        expect(result.message, name).toMatch(problem);
        expect(result.details, name).toMatchObject({ path });
      }

      expect(await readFile(path, "utf8")).toBe(text);
      const after = statSync(path, { bigint: true });
      expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
      // Nothing else was written next to it: no temp file, no lock left behind (released locks are removed
      // in their own folder, which stays).
      expect(readdirSync(dataDir).sort()).toEqual([RELEASED_LOCKS, TASKS_FILE_NAME]);
      expect(readdirSync(join(dataDir, RELEASED_LOCKS))).toEqual([]);
    },
  );

  it("a missing file is an empty store, and the first mutation creates it (and its folder)", async () => {
    const root = await temp.make("missing-");
    const dataDir = join(root, "nested", "data");
    const { store, lifecycle } = setup(dataDir);
    const read = await store.read();
    expect(read).toMatchObject({ ok: true, file: { projects: [], version: 0, last_updated: null } });
    expect(existsSync(dataDir)).toBe(false);
    expect(await lifecycle.propose({ slug: "first", description: "The first one" })).toMatchObject({
      ok: true,
      version: 1,
    });
    const file = await readTasks(dataDir);
    expect(file).toMatchObject({
      version: 1,
      last_updated: "2025-03-01T12:00:00.000Z",
      projects: [{ name: "first", status: "pending" }],
    });
  });

  it("a refused mutation writes nothing (no version bump, same bytes and inode)", async () => {
    const dataDir = await temp.make("refused-");
    const { store, lifecycle } = setup(dataDir);
    await lifecycle.propose({ slug: "alpha", description: "Alpha" });
    const path = join(dataDir, TASKS_FILE_NAME);
    const bytes = await readFile(path);
    const { ino } = statSync(path);
    expect((await lifecycle.approve("alpha", { expectedVersion: 7 })).ok).toBe(false);
    expect((await lifecycle.propose({ slug: "ALPHA", description: "Again" })).ok).toBe(false);
    expect((await lifecycle.update("alpha", () => ({ ok: false, code: "invalid_state", message: "no" }))).ok).toBe(
      false,
    );
    expect((await store.mutate(() => ({ ok: false, code: "usage", message: "no" }))).ok).toBe(false);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(statSync(path).ino).toBe(ino);
  });
});

/** A file as another tool (the echo-core Python side) might leave it: extra keys everywhere, nested values. */
const FOREIGN = {
  schema: "echo-core/approved-tasks@2",
  projects: [
    {
      name: "alpha",
      description: "Alpha, written elsewhere",
      status: "pending",
      planning_session_id: null,
      final_plan_path: null,
      repo: "team/alpha",
      branch: "feature/alpha",
      base_branch: "main",
      proposed_at: "2025-01-01T00:00:00+00:00",
      approved_at: null,
      started_at: null,
      pid: null,
      owner: { adapter: "discord", id: "123456789012345678", roles: ["admin", "dev"] },
      tags: ["web", "ü-ñícode ✓"],
      priority: 2.5,
      archived: false,
    },
    {
      name: "beta",
      status: "failed",
      error: "exit 2",
      custom: { deep: { deeper: [1, { x: null }], flag: true } },
      started_at: "2025-01-02T03:04:05.678+00:00",
    },
  ],
  last_updated: "2025-01-02T03:04:05+00:00",
  version: 41,
  echo_core: { host: "nas", stats: { runs: 12, ok: 10, ratio: 0.8333 } },
  notes: null,
};

describe("fields we do not own survive our rewrite", () => {
  it("extra top-level keys, extra entry keys and nested objects come back exactly, in their order", async () => {
    const dataDir = await temp.make("foreign-");
    const path = join(dataDir, TASKS_FILE_NAME);
    await writeFile(path, JSON.stringify(FOREIGN, null, 4));
    const { lifecycle } = setup(dataDir);

    expect(await lifecycle.approve("alpha")).toMatchObject({
      ok: true,
      version: 42,
      entry: { owner: FOREIGN.projects[0]!.owner },
    });
    expect((await lifecycle.propose({ slug: "gamma", description: "Ours" })).ok).toBe(true);

    const after = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown> & {
      projects: Array<Record<string, unknown>>;
    };
    const { projects, last_updated, version, ...restAfter } = after;
    const { projects: foreignProjects, last_updated: _lu, version: _v, ...restBefore } = FOREIGN;
    // Top level: every foreign key, same values, same order.
    expect(restAfter).toEqual(restBefore);
    expect(Object.keys(after)).toEqual(Object.keys(FOREIGN));
    expect(version).toBe(43);
    expect(last_updated).toBe("2025-03-01T12:00:00.000Z");
    // The untouched entry is identical, key order included.
    expect(JSON.stringify(projects[1])).toBe(JSON.stringify(foreignProjects[1]));
    // The approved entry changed only in the fields approve owns.
    const alpha = projects[0]!;
    expect(Object.keys(alpha)).toEqual([...Object.keys(foreignProjects[0]!), "error"]);
    expect(alpha).toEqual({
      ...foreignProjects[0],
      status: "approved",
      approved_at: "2025-03-01T12:00:00.000Z",
      error: null,
    });
    expect(projects[2]).toMatchObject({ name: "gamma", status: "pending" });
  });

  it("a large integer another tool wrote (a Discord snowflake) keeps its exact value", async () => {
    const dataDir = await temp.make("foreign-bigint-");
    const path = join(dataDir, TASKS_FILE_NAME);
    // Python's json writes ints of any size; JSON.parse rounds this one to 1234567890123456800.
    await writeFile(
      path,
      '{"projects": [{"name": "alpha", "status": "pending", "discord_channel_id": 1234567890123456789}], "version": 1}\n',
    );
    const { lifecycle } = setup(dataDir);
    expect((await lifecycle.approve("alpha")).ok).toBe(true);
    expect(await readFile(path, "utf8")).toContain('"discord_channel_id": 1234567890123456789');
  });
});

describe("every mutation re-reads the file under the lock", () => {
  it("a same-size in-place change with an unchanged mtime (coarse timestamps, cp -p, a restore) is not overwritten by a cached copy", async () => {
    const dataDir = await temp.make("reread-");
    const path = join(dataDir, TASKS_FILE_NAME);
    const { store, lifecycle } = setup(dataDir);
    await lifecycle.propose({ slug: "alpha", description: "Alpha project" });
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    expect((await store.read()).ok).toBe(true); // the store now knows this file's stat signature

    // Another writer changes the description in place: same inode, same size, and the mtime ends up equal.
    const text = await readFile(path, "utf8");
    writeFileSync(path, text.replace("Alpha project", "Omega project"));
    utimesSync(path, 1_700_000_000, 1_700_000_000);

    expect((await lifecycle.approve("alpha")).ok).toBe(true);
    const file = await readTasks(dataDir);
    expect(file.projects?.[0]).toMatchObject({ status: "approved", description: "Omega project" });
  });
});

describe("a data dir shared by the workspace", () => {
  it("leaves other files in the data dir alone", async () => {
    const dataDir = await temp.make("neighbours-");
    await mkdir(join(dataDir, "sessions"), { recursive: true });
    await writeFile(join(dataDir, "sessions", "planning.json"), "{}\n");
    const { lifecycle } = setup(dataDir);
    await lifecycle.propose({ slug: "alpha", description: "Alpha" });
    expect(readdirSync(dataDir).sort()).toEqual([RELEASED_LOCKS, TASKS_FILE_NAME, "sessions"]);
    expect(readdirSync(join(dataDir, RELEASED_LOCKS))).toEqual([]);
    expect(await readFile(join(dataDir, "sessions", "planning.json"), "utf8")).toBe("{}\n");
  });
});
