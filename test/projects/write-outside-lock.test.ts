// What a store write does outside its lock, so that the time the lock is held is only the write itself: the
// temp file is made before the lock is waited for (and never swept, left behind or used twice), and the
// descriptor that pinned a replaced version of the file is closed off the lock's path without leaking; the
// released lock folder is removed away from the store's folder.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sweepStaleTemps } from "../../src/projects/atomic-write.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await temp.cleanup();
});

const tempFiles = (dataDir: string) => readdirSync(dataDir).filter((name) => name.endsWith(".tmp"));

async function storeIn(prefix: string) {
  const dataDir = await temp.make(prefix);
  const store = createProjectStore({ dataDir, clock: systemClock, staleLockMs: 2000 });
  const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
  expect((await lifecycle.propose({ slug: "first", description: "Before the lock was taken" })).ok).toBe(true);
  return { dataDir, store, lifecycle };
}

/** Holds the store's lock as a live proper-lockfile holder does (refreshing its mtime); returns its release. */
function holdLock(dataDir: string): () => void {
  const lock = join(dataDir, `${TASKS_FILE_NAME}.lock`);
  mkdirSync(lock);
  const timer = setInterval(() => utimesSync(lock, new Date(), new Date()), 500);
  timers.push(timer);
  return () => {
    clearInterval(timer);
    rmdirSync(lock);
  };
}

describe("a store write, outside its lock", () => {
  it("has its temp file ready while it waits, which this process's own sweep keeps, and which the write then uses", async () => {
    const { dataDir, store, lifecycle } = await storeIn("outside-lock-waiting-");
    const release = holdLock(dataDir);
    const second = lifecycle.propose({ slug: "second", description: "While the lock is held" });
    expect(await waitUntil(() => tempFiles(dataDir).length === 1, 5_000)).toBe(true);
    const [ready] = tempFiles(dataDir);
    expect(ready).toMatch(new RegExp(`^\\.${TASKS_FILE_NAME.replace(".", "\\.")}\\.${process.pid}\\.[0-9a-f]+\\.tmp$`));
    // A sweep counts this process's temp files as leftovers of its finished write; not one that still waits.
    expect(await sweepStaleTemps(store.path)).toEqual([]);
    expect(tempFiles(dataDir)).toEqual([ready]);

    release();
    expect(await second).toMatchObject({ ok: true });
    expect(tempFiles(dataDir)).toEqual([]);
    const listed = await store.read();
    if (!listed.ok) throw new Error(listed.message);
    expect((listed.file.projects ?? []).map((project) => project.name)).toEqual(["first", "second"]);
  });

  it("leaves no temp file when it has nothing to write, or gives up on a lock held too long", async () => {
    const { dataDir, lifecycle } = await storeIn("outside-lock-unused-");
    const refused = await lifecycle.propose({ slug: "first", description: "The same slug again" });
    expect(refused).toMatchObject({ ok: false, code: "duplicate_slug" });
    expect(tempFiles(dataDir)).toEqual([]);

    holdLock(dataDir);
    const busy = await lifecycle.propose({ slug: "second", description: "While the lock is held" });
    expect(busy).toMatchObject({ ok: false, code: "store_io" });
    expect(tempFiles(dataDir)).toEqual([]);
  }, 30_000);

  it("closes the descriptors that pinned replaced versions of the file: none stays open", async () => {
    const { dataDir, store, lifecycle } = await storeIn("outside-lock-pins-");
    // Another writer of the same file in this process: each of its writes replaces what `store` last read.
    const otherStore = createProjectStore({ dataDir, clock: systemClock, staleLockMs: 2000 });
    const other = createLifecycle({
      store: otherStore,
      clock: systemClock,
      workspaceDir: join(dataDir, "workspace"),
    });
    for (let round = 0; round < 5; round += 1) {
      expect((await other.propose({ slug: `other-${round}`, description: "From the other writer" })).ok).toBe(true);
      expect((await store.read()).ok).toBe(true);
      expect(
        (
          await lifecycle.update("first", (entry) => {
            entry.hits = round;
          })
        ).ok,
      ).toBe(true);
    }
    // Both read the newest version now: a reader keeps a replaced version open only until its next read.
    expect((await store.read()).ok).toBe(true);
    expect((await otherStore.read()).ok).toBe(true);
    const pinsOfReplaced = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(dataDir) && target.endsWith("(deleted)");
        } catch {
          return false;
        }
      }).length;
    expect(await waitUntil(() => pinsOfReplaced() === 0, 5_000)).toBe(true);
    const pinsOfCurrent = readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === join(dataDir, TASKS_FILE_NAME);
      } catch {
        return false;
      }
    });
    // Each reader keeps at most one: the version it last read (which pins its inode number).
    expect(pinsOfCurrent.length).toBeGreaterThan(0);
    expect(pinsOfCurrent.length).toBeLessThanOrEqual(2);
  });

  it("releases its lock by moving the folder into the released-locks folder and removing it there", async () => {
    const { dataDir, lifecycle } = await storeIn("outside-lock-release-");
    const released = join(dataDir, `.${TASKS_FILE_NAME}.lock.released`);
    // Someone removed the folder: the next release makes it again.
    rmdirSync(released);
    expect((await lifecycle.propose({ slug: "second", description: "Released into a new folder" })).ok).toBe(true);
    expect(readdirSync(released)).toEqual([]);
    expect(
      readdirSync(dataDir)
        .filter((name) => name.includes(".lock"))
        .sort(),
    ).toEqual([basename(released)]);
  });

  it("releases its lock in place, as proper-lockfile does, when the released-locks folder cannot be made", async () => {
    const { dataDir, lifecycle } = await storeIn("outside-lock-release-in-place-");
    const released = join(dataDir, `.${TASKS_FILE_NAME}.lock.released`);
    rmdirSync(released);
    writeFileSync(released, "a file in the way\n");
    for (const slug of ["second", "third"])
      expect((await lifecycle.propose({ slug, description: "Released in place" })).ok).toBe(true);
    // No lock left behind: the second write could take it, and nothing else holds it now.
    expect(existsSync(join(dataDir, `${TASKS_FILE_NAME}.lock`))).toBe(false);
    expect(readFileSync(released, "utf8")).toBe("a file in the way\n");
  });
});
