/**
 * Group commit inside one process: mutations of a store made while another is being written share the next
 * write (locked-json-file.ts), yet each keeps its own result, version and failure, and other processes'
 * writers stay excluded. Real files, real child processes.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { fail } from "../../src/projects/result.ts";
import type { ProjectEntry, TasksFile } from "../../src/projects/schemas.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { startStoreWorker } from "../helpers/store-worker-process.ts";

const SLOW = { timeout: 120_000 };
const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
const temp = createTempDirs();
afterEach(() => temp.cleanup());

async function setup() {
  const dataDir = await temp.make("group-commit-");
  const store = createProjectStore({ dataDir, clock });
  const lifecycle = createLifecycle({ store, clock, workspaceDir: join(dataDir, "workspace") });
  return { dataDir, store, lifecycle };
}

async function readTasks(dataDir: string): Promise<TasksFile> {
  return JSON.parse(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")) as TasksFile;
}

function entry(file: TasksFile, name: string): ProjectEntry & Record<string, unknown> {
  return file.projects!.find((project) => project.name === name) as ProjectEntry & Record<string, unknown>;
}

const bumpHits = (target: Record<string, unknown>) => {
  target.hits = (typeof target.hits === "number" ? target.hits : 0) + 1;
};

describe("mutations made at once in one process", () => {
  it("share one write, and each still gets its own version, in the order they were made", async () => {
    const { dataDir, store, lifecycle } = await setup();
    expect((await lifecycle.propose({ slug: "alpha", description: "Counted" })).ok).toBe(true);
    const writesBefore = store.localWrites();

    const results = await Promise.all(Array.from({ length: 20 }, () => lifecycle.update("alpha", bumpHits)));

    expect(results.map((result) => result.ok && result.version)).toEqual(Array.from({ length: 20 }, (_, n) => n + 2));
    expect(results.map((result) => result.ok && (result.entry as Record<string, unknown>).hits)).toEqual(
      Array.from({ length: 20 }, (_, n) => n + 1),
    );
    // All twenty were made before the first write started, so one write carried them.
    expect(store.localWrites() - writesBefore).toBe(1);
    const file = await readTasks(dataDir);
    expect(file.version).toBe(21);
    expect(entry(file, "alpha").hits).toBe(20);
  });

  it("a failed or throwing mutation leaves no trace and does not stop the others", async () => {
    const { dataDir, store, lifecycle } = await setup();
    await lifecycle.propose({ slug: "alpha", description: "First" });
    await lifecycle.propose({ slug: "beta", description: "Second" });

    const [first, missing, refused, thrown, last] = await Promise.allSettled([
      lifecycle.update("alpha", (project) => {
        project.note = "first";
      }),
      lifecycle.update("nope", bumpHits),
      store.mutate((data) => {
        data.projects[0]!.description = "changed, then refused";
        return fail("invalid_state", "refused on purpose");
      }),
      store.mutate((data) => {
        data.projects[1]!.description = "changed, then thrown";
        throw new Error("thrown on purpose");
      }),
      lifecycle.update("beta", (project) => {
        project.note = "last";
      }),
    ]);

    expect(first).toMatchObject({ status: "fulfilled", value: { ok: true, version: 3 } });
    expect(missing).toMatchObject({ status: "fulfilled", value: { ok: false, code: "not_found" } });
    expect(refused).toMatchObject({ status: "fulfilled", value: { ok: false, code: "invalid_state" } });
    expect(thrown).toMatchObject({ status: "rejected", reason: { message: "thrown on purpose" } });
    // The last one is built on the first, not on the refused or thrown ones.
    expect(last).toMatchObject({ status: "fulfilled", value: { ok: true, version: 4 } });
    const file = await readTasks(dataDir);
    expect(file.version).toBe(4);
    expect(entry(file, "alpha")).toMatchObject({ description: "First", note: "first" });
    expect(entry(file, "beta")).toMatchObject({ description: "Second", note: "last" });
  });

  it("the If-Match version is checked against the mutations before it in the same write", async () => {
    const { store, lifecycle } = await setup();
    const proposed = await lifecycle.propose({ slug: "alpha", description: "Guarded" });
    const seen = proposed.ok ? proposed.version : -1;

    const [approved, unapproved] = await Promise.all([
      lifecycle.approve("alpha", { expectedVersion: seen }),
      lifecycle.unapprove("alpha", { expectedVersion: seen }),
    ]);

    expect(approved).toMatchObject({ ok: true, version: seen + 1 });
    expect(unapproved).toMatchObject({ ok: false, code: "stale", currentVersion: seen + 1 });
    const read = await store.read();
    expect(read.ok && findStatus(read.file, "alpha")).toBe("approved");
  });
});

function findStatus(file: TasksFile, name: string): string | undefined {
  return file.projects?.find((project) => project.name === name)?.status ?? undefined;
}

describe("batches from several processes at once", () => {
  it("lose no update: every process's writes, shared and its own, are all in the file", SLOW, async () => {
    const { dataDir, lifecycle } = await setup();
    await lifecycle.propose({ slug: "shared", description: "Everyone's" });
    const OPS = 48;
    const workers = [1, 2, 3].map((id) =>
      startStoreWorker({ dataDir, id, mode: "burst", ops: OPS }, { reject: false, timeout: 90_000 }),
    );
    // This process bursts too, while they run.
    const own = await Promise.all(Array.from({ length: 24 }, () => lifecycle.update("shared", bumpHits)));
    const ended = await Promise.all(workers);

    const reports = ended.map((result) => {
      expect(result.exitCode, result.stderr).toBe(0);
      return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { successes: number; sharedHits: number };
    });
    expect(own.every((result) => result.ok)).toBe(true);
    for (const report of reports) expect(report.successes).toBe(OPS);
    const file = await readTasks(dataDir);
    const shared = entry(file, "shared");
    expect(shared.hits).toBe(24);
    const byWorker = shared.hits_by as Record<string, number>;
    expect(byWorker).toEqual({ 1: OPS / 2, 2: OPS / 2, 3: OPS / 2 });
    for (const id of [1, 2, 3]) expect(entry(file, `b${id}`).hits).toBe(OPS / 2);
    // 1 proposal here, 3 there, then every successful update: the version counts mutations, not writes.
    expect(file.version).toBe(1 + 3 + 24 + 3 * OPS);
  });
});

describe("what this process wrote is what it reads next", () => {
  it("without reading the file again, yet a later write by another process shows", SLOW, async () => {
    const { dataDir, store, lifecycle } = await setup();
    await lifecycle.propose({ slug: "shared", description: "Everyone's" });
    // A caller that keeps part of what its mutation saw, and changes it afterwards, changes nothing stored.
    const kept = await store.mutate((data) => ({ ok: true, projects: data.projects }));
    if (!kept.ok) throw new Error(kept.message);
    kept.projects[0]!.description = "changed after the write";
    const mine = await store.read();
    expect(mine.ok && mine.file.projects?.[0]?.description).toBe("Everyone's");

    const other = await startStoreWorker({ dataDir, id: 7, mode: "once" }, { reject: false, timeout: 60_000 });
    expect(other.exitCode, other.stderr).toBe(0);
    const after = await store.read();
    expect(after.ok && after.file.version).toBe(3);
    expect(after.ok && entry(after.file, "shared").hits).toBe(1);
  });
});

describe("a store a crash left unreadable", () => {
  it("names the copy of the version before the last write, which planbot kept until that write was on disk", async () => {
    const { dataDir, store, lifecycle } = await setup();
    await lifecycle.propose({ slug: "alpha", description: "Kept" });
    const path = join(dataDir, TASKS_FILE_NAME);
    // What a writer leaves when the machine stops between its rename and its fsync: the replaced version's
    // second name, and (on a file system that commits the rename first) a file of zeros.
    const copy = join(dataDir, `.${TASKS_FILE_NAME}.4242.0abc1.old`);
    await copyFile(path, copy);
    writeFileSync(path, Buffer.alloc(300));

    const read = await store.read();

    expect(read).toMatchObject({ ok: false, code: "store_corrupt", details: { path, copy } });
    expect(read.ok || read.message).toMatch(
      /will not overwrite it.*still at .*\.old: if a crash damaged the file, move that copy over it/,
    );
    const refused = await lifecycle.propose({ slug: "beta", description: "Refused" });
    expect(refused).toMatchObject({ ok: false, code: "store_corrupt" });
    // Nothing was swept or overwritten: the copy is still there to restore.
    expect(readdirSync(dataDir).filter((name) => name.endsWith(".old"))).toEqual([
      `.${TASKS_FILE_NAME}.4242.0abc1.old`,
    ]);
  });
});
