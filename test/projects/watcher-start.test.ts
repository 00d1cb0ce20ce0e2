/**
 * The change watcher's start: a store change made while it takes its first snapshot (another process
 * writing between the watcher's first read of the store and its file watch) must still show. The change is
 * made at exactly that point, from inside the lister's first build, through a second store instance over
 * the same file, as another process's write would be.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createChangeWatcher, type ChangeWatcher } from "../../src/projects/change-watcher.ts";
import type { Clock } from "../../src/projects/clock.ts";
import { createProjectLister, type ProjectLister } from "../../src/projects/project-list.ts";
import { createProjectStore, type ProjectStore } from "../../src/projects/project-store.ts";
import type { ProjectStatus } from "../../src/projects/derive-status.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const watchers: ChangeWatcher[] = [];
afterEach(async () => {
  for (const watcher of watchers.splice(0)) await watcher.stop();
  await temp.cleanup();
});
const clock: Clock = { now: () => new Date() };

async function setStatus(store: ProjectStore, name: string, status: string): Promise<void> {
  const written = await store.mutate((file) => {
    const entry = file.projects.find((candidate) => candidate.name === name);
    if (entry) entry.status = status;
    else file.projects.push({ name, description: `The ${name} project.`, status });
    return { ok: true };
  });
  if (!written.ok) throw new Error(written.message);
}

/** Resolves with the first status of `slug` the watcher publishes that satisfies `wanted`. */
function published(watcher: ChangeWatcher, slug: string, wanted: ProjectStatus): Promise<ProjectStatus> {
  return new Promise((resolve) => {
    const current = watcher.current().list.projects.find((record) => record.slug === slug);
    if (current?.status === wanted) return resolve(wanted);
    const stop = watcher.subscribe((change) => {
      const after = change.changed.find((item) => item.slug === slug)?.after;
      if (after?.status === wanted) {
        stop();
        resolve(wanted);
      }
    });
  });
}

describe("the change watcher's first snapshot", () => {
  it("shows a store change made between its first read and its file watch (approved → cancelled)", async () => {
    const root = await temp.make("watcher-start-");
    const dataDir = join(root, "data");
    const workspaceDir = join(root, "workspace");
    const store = createProjectStore({ dataDir, clock });
    await setStatus(store, "alpha", "approved");
    const lister = createProjectLister({ store, workspaceDir, clock });
    // Another writer over the same file: its write lands right after the watcher's first build has read it.
    const other = createProjectStore({ dataDir, clock });
    let builds = 0;
    const racing: ProjectLister = {
      ...lister,
      async build() {
        const list = await lister.build();
        builds += 1;
        if (builds === 1) await setStatus(other, "alpha", "cancelled");
        return list;
      },
    };
    const watcher = createChangeWatcher({ store, lister: racing, clock, dataDir, workspaceDir });
    watchers.push(watcher);
    await watcher.start();
    expect(builds).toBe(1);

    // The first snapshot was built before the write; only the write's event can bring it in.
    expect(await published(watcher, "alpha", "cancelled")).toBe("cancelled");
    expect(watcher.current().list.projects.map((record) => [record.slug, record.status])).toEqual([
      ["alpha", "cancelled"],
    ]);
    expect(watcher.current().list.version).toBe(2);
  });
});
