import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { TasksFileSchema } from "../../src/projects/schemas.ts";
import type { MixedReport } from "../helpers/store-worker.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";
import { startStoreWorker } from "../helpers/store-worker-process.ts";

/** Workers still running when a test ends (it failed or timed out) are killed before their folder goes. */
const { temp, defer } = useCleanups();

const WORKERS = 4;
const OPS = 100;
/** Every mutation fsyncs twice: on a busy shared disk this takes far longer than on a quiet one, so no tight limit. */
const SLOW = { timeout: 180_000 };

describe("project store under contention (real child processes)", () => {
  it(`${WORKERS} processes × ${OPS} mixed mutations: version = successful mutations, nothing lost`, SLOW, async () => {
    const dataDir = await temp.make("concurrency-");
    const store = createProjectStore({ dataDir, clock: systemClock });
    const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
    const shared = await lifecycle.propose({ slug: "shared", description: "Hit by every worker" });
    expect(shared.ok).toBe(true);

    const runs = await Promise.all(
      Array.from({ length: WORKERS }, (_, index) => {
        const child = startStoreWorker(
          { dataDir, id: index + 1, mode: "mixed", ops: OPS, seed: 42 },
          { reject: false, timeout: 170_000 },
        );
        defer(() => killAndWait(child));
        return child;
      }),
    );
    const reports = runs.map((run) => {
      expect(run.exitCode, run.stderr).toBe(0);
      const last = run.stdout.trim().split("\n").at(-1)!;
      return JSON.parse(last) as MixedReport;
    });

    for (const report of reports) {
      expect(report.unexpected).toEqual([]);
      expect(report.successes).toBeGreaterThanOrEqual(100);
      // Every kind of refused step happened at least once and wrote nothing (the version check below proves it).
      expect(Object.keys(report.failures).sort()).toEqual(
        expect.arrayContaining(["duplicate_slug", "not_found", "stale"]),
      );
    }

    const text = await readFile(join(dataDir, TASKS_FILE_NAME), "utf8");
    const file = TasksFileSchema.parse(JSON.parse(text));
    const successes = reports.reduce((sum, report) => sum + report.successes, 0);
    expect(file.version).toBe(1 + successes);

    const projects = file.projects ?? [];
    const allProposed = reports.flatMap((report) => report.proposed);
    expect(projects.map((entry) => entry.name).sort()).toEqual(["shared", ...allProposed].sort());
    for (const report of reports) {
      for (const [slug, want] of Object.entries(report.expected)) {
        const entry = projects.find((candidate) => candidate.name === slug);
        expect({ slug, status: entry?.status, hits: entry?.hits ?? 0 }).toEqual({
          slug,
          status: want.status,
          hits: want.hits,
        });
      }
    }
    const sharedEntry = projects.find((entry) => entry.name === "shared")!;
    const hitsBy = (sharedEntry.hits_by ?? {}) as Record<string, number>;
    for (const [index, report] of reports.entries()) expect(hitsBy[String(index + 1)] ?? 0).toBe(report.sharedHits);
    expect(reports.some((report) => report.sharedHits > 0)).toBe(true);
  });

  it("in one process, parallel mutations through two stores on one file are serialised", SLOW, async () => {
    const dataDir = await temp.make("concurrency-inproc-");
    const a = createProjectStore({ dataDir, clock: systemClock });
    const b = createProjectStore({ dataDir, clock: systemClock });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 ? a : b).mutate((file) => {
          file.projects.push({ name: `p-${index}` });
          return { ok: true };
        }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const versions = results.map((result) => (result.ok ? result.version : -1)).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    const read = await a.read();
    expect(read.ok && read.file.version).toBe(40);
    expect(read.ok && read.file.projects?.length).toBe(40);
  });
});
