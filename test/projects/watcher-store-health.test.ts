/**
 * The change watcher's word on the store itself: a store file that becomes unreadable changes no project, so
 * the watcher says so on its own channel (storeHealth), once per problem, and says when the file is readable
 * again — after it published what the fixed file changed, so a reader told then already has the current list.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createChangeWatcher, type ChangeWatcher } from "../../src/projects/change-watcher.ts";
import type { Clock } from "../../src/projects/clock.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import { createProjectStore, TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();
const clock: Clock = { now: () => new Date() };

/** What the watcher's listeners heard, in order: `list:<statuses>` for a change, `broken:<code>`, `readable`. */
function heard(watcher: ChangeWatcher): string[] {
  const events: string[] = [];
  watcher.subscribe((change) => events.push(`list:${change.list.projects.map((p) => p.status).join(",")}`));
  watcher.storeHealth.subscribe((problem) => events.push(problem ? `broken:${problem.code}` : "readable"));
  return events;
}

/** A store holding one pending project, its lister, and the store file's path and text while it is readable. */
async function storeWithAlpha(prefix: string) {
  const root = await temp.make(prefix);
  const dataDir = join(root, "data");
  const workspaceDir = join(root, "workspace");
  const store = createProjectStore({ dataDir, clock });
  const lister = createProjectLister({ store, workspaceDir, clock });
  const added = await store.mutate((file) => {
    file.projects.push({ name: "alpha", description: "Alpha.", status: "pending" });
    return { ok: true };
  });
  expect(added.ok).toBe(true);
  const path = join(dataDir, TASKS_FILE_NAME);
  return { store, lister, dataDir, workspaceDir, path, good: await readFile(path, "utf8") };
}

/** Replaces the file whole (a temp file renamed over it), as an editor or another tool would: no half-written read. */
async function replace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.edit`, text);
  await rename(`${path}.edit`, path);
}

/** Waits until `events` holds `count` entries (file events take milliseconds). */
async function until(events: string[], count: number): Promise<void> {
  await expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
}

describe("the change watcher and a store that breaks while it runs", () => {
  it("tells its store listeners the file and what to do, once, and when the file is readable again after the list", async () => {
    const { store, lister, dataDir, workspaceDir, path, good } = await storeWithAlpha("watcher-health-");
    const watcher = createChangeWatcher({ store, lister, clock, dataDir, workspaceDir });
    defer(() => watcher.stop());
    await watcher.start();
    const events = heard(watcher);
    expect(watcher.storeHealth.problem()).toBeUndefined();

    await replace(path, "{ broken");
    await until(events, 1);
    expect(events).toEqual(["broken:store_corrupt"]);
    const problem = watcher.storeHealth.problem();
    expect(problem?.message).toContain(path);
    expect(problem?.message).toContain("fix or move the file");
    expect(problem?.details?.path).toBe(path);
    // Broken the same way again (rewritten by an editor) is no news; nothing was written over it.
    await replace(path, "{ broken");
    await watcher.refresh();
    expect(events).toEqual(["broken:store_corrupt"]);
    expect(await readFile(path, "utf8")).toBe("{ broken");

    // Fixed to what it was: no project changed, and still the listeners hear that it is readable.
    await replace(path, good);
    await until(events, 2);
    expect(events).toEqual(["broken:store_corrupt", "readable"]);
    expect(watcher.storeHealth.problem()).toBeUndefined();

    // Broken, then fixed with a change: the new list comes first, then the word that the file is readable.
    await replace(path, "[]");
    await until(events, 3);
    expect(events[2]).toBe("broken:store_corrupt");
    await replace(path, good.replace('"pending"', '"approved"'));
    await until(events, 5);
    expect(events.slice(3)).toEqual(["list:approved", "readable"]);
  });

  it("started on a broken store, says so from the start, and tells when the file is readable again", async () => {
    const { store, lister, dataDir, workspaceDir, path, good } = await storeWithAlpha("watcher-health-start-");
    await replace(path, "{ broken");
    const watcher = createChangeWatcher({ store, lister, clock, dataDir, workspaceDir });
    defer(() => watcher.stop());
    await watcher.start();
    // A reader that starts now (a page connecting) starts from the channel's word: broken.
    expect(watcher.storeHealth.problem()?.code).toBe("store_corrupt");
    const events = heard(watcher);

    await replace(path, good);
    await until(events, 2);
    expect(events).toEqual(["list:pending", "readable"]);
    expect(watcher.storeHealth.problem()).toBeUndefined();
  });
});
