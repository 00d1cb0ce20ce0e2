import { existsSync, mkdirSync, statSync, utimesSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { afterEach, describe, expect, it } from "vitest";
import { acquireHandoverLock, type HandoverEvent } from "../../src/projects/lock-handover.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await temp.cleanup();
});

const HOUR_S = 3600;
const SLOW = { timeout: 60_000 };

/** Resolves once `events` holds an event of `type`. */
async function until(events: HandoverEvent[], type: HandoverEvent["type"]): Promise<void> {
  while (!events.some((event) => event.type === type)) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("lock hand-over", () => {
  it("a waiting writer is woken by the release itself (a file event), not by a timer", SLOW, async () => {
    const dir = await temp.make("handover-");
    const path = join(dir, "data.json");
    // A long stale timeout and safety net: the only thing that can wake the waiter soon is the release event.
    const holder = await acquireHandoverLock(path, { staleMs: 600_000 });
    const events: HandoverEvent[] = [];
    const waiting = acquireHandoverLock(path, {
      staleMs: 600_000,
      safetyNetMs: 600_000,
      observe: (event) => events.push(event),
    });
    await until(events, "waiting");
    expect(existsSync(`${path}.lock`)).toBe(true);

    await holder();
    const release = await waiting;
    expect(events.filter((event) => event.type === "woken")).toEqual([{ type: "woken", by: "file-event" }]);
    expect(existsSync(`${path}.lock`)).toBe(true);
    await release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it(
    "taking the lock again leaves its mtime alone: proper-lockfile's precision probe runs once per process",
    SLOW,
    async () => {
      const dir = await temp.make("handover-probe-");
      const path = join(dir, "data.json");
      // The probe sets the new lock's mtime to the next whole second + 5 ms; a second probe would do it again.
      await (await acquireHandoverLock(path, { staleMs: 600_000 }))();
      const before = Date.now();
      const release = await acquireHandoverLock(path, { staleMs: 600_000 });
      const mtime = statSync(`${path}.lock`).mtimeMs;
      const after = Date.now();
      await release();
      expect(mtime).toBeGreaterThanOrEqual(before - 20);
      expect(mtime).toBeLessThanOrEqual(after + 1);
    },
  );

  it(
    "keeps proper-lockfile's contract: a lock taken by plain proper-lockfile excludes it, and its release lets it in",
    SLOW,
    async () => {
      const dir = await temp.make("handover-compat-");
      const path = join(dir, "data.json");
      const plain = await lockfile.lock(path, { realpath: false, stale: 600_000 });
      const events: HandoverEvent[] = [];
      const waiting = acquireHandoverLock(path, {
        staleMs: 600_000,
        safetyNetMs: 600_000,
        observe: (event) => events.push(event),
      });
      await until(events, "waiting");
      // And the other way round: while the hand-over waits, proper-lockfile's own check sees the lock held.
      expect(await lockfile.check(path, { realpath: false, stale: 600_000 })).toBe(true);
      await plain();
      const release = await waiting;
      await expect(lockfile.lock(path, { realpath: false, stale: 600_000 })).rejects.toMatchObject({ code: "ELOCKED" });
      await release();
    },
  );

  it(
    "takes over a future-dated lock nobody refreshes (the clock is behind it) after the stale timeout",
    SLOW,
    async () => {
      const dir = await temp.make("handover-future-");
      const path = join(dir, "data.json");
      // A holder died while the clock was an hour ahead (or the clock was set back since): proper-lockfile
      // alone would call this lock fresh for the next hour.
      mkdirSync(`${path}.lock`);
      const future = Date.now() / 1000 + HOUR_S;
      utimesSync(`${path}.lock`, future, future);
      expect(await lockfile.check(path, { realpath: false, stale: 2000 })).toBe(true);

      const events: HandoverEvent[] = [];
      const release = await acquireHandoverLock(path, { staleMs: 2000, observe: (event) => events.push(event) });
      expect(events.filter((event) => event.type === "future-lock-removed")).toHaveLength(1);
      // Ours now: fresh, not in the future.
      expect(statSync(`${path}.lock`).mtimeMs).toBeLessThanOrEqual(Date.now() + 1500);
      await release();
      expect(existsSync(`${path}.lock`)).toBe(false);
    },
  );

  it("never takes a future-dated lock whose holder keeps refreshing it, and gives up with ELOCKED", SLOW, async () => {
    const dir = await temp.make("handover-future-live-");
    const path = join(dir, "data.json");
    // A live holder whose clock runs an hour ahead: it rewrites the mtime every second, as proper-lockfile does.
    mkdirSync(`${path}.lock`);
    let tick = 0;
    const refresh = () => {
      const at = Date.now() / 1000 + HOUR_S + (tick += 1);
      utimesSync(`${path}.lock`, at, at);
    };
    refresh();
    timers.push(setInterval(refresh, 500));

    const events: HandoverEvent[] = [];
    await expect(
      acquireHandoverLock(path, { staleMs: 2000, maxWaitMs: 5000, observe: (event) => events.push(event) }),
    ).rejects.toMatchObject({ code: "ELOCKED" });
    expect(events.some((event) => event.type === "future-lock-removed")).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(true);
  });

  it("a lock another writer keeps holding: the store gives up with words a chat member may read", SLOW, async () => {
    const dataDir = await temp.make("handover-busy-");
    const store = createProjectStore({ dataDir, clock: systemClock, staleLockMs: 2000 });
    const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
    expect((await lifecycle.propose({ slug: "first", description: "Before the lock was taken" })).ok).toBe(true);
    // A live holder: it refreshes the lock's mtime as proper-lockfile does, so the lock never turns stale.
    const lock = join(dataDir, `${TASKS_FILE_NAME}.lock`);
    mkdirSync(lock);
    timers.push(setInterval(() => utimesSync(lock, new Date(), new Date()), 500));

    const refused = await lifecycle.propose({ slug: "second", description: "While the lock is held" });
    if (refused.ok) throw new Error("expected the held lock to refuse the change");
    expect(refused.code).toBe("store_io");
    expect(refused.message).toBe(
      `${TASKS_FILE_NAME} is busy: planbot waited 6 s for its lock and another change still held it. Nothing was changed; try again in a moment. If it stays busy, a writer may be stuck: planbot's admin can look at ${TASKS_FILE_NAME}.lock.`,
    );
    expect(refused.message).not.toContain(dataDir);
    const listed = await store.read();
    if (!listed.ok) throw new Error(listed.message);
    expect((listed.file.projects ?? []).map((project) => project.name)).toEqual(["first"]);
  });

  it(
    "the project store writes through a future-dated abandoned lock instead of failing every mutation",
    SLOW,
    async () => {
      const dataDir = await temp.make("handover-store-");
      const store = createProjectStore({ dataDir, clock: systemClock, staleLockMs: 2000 });
      const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
      expect((await lifecycle.propose({ slug: "before", description: "Before the clock went back" })).ok).toBe(true);
      const lock = join(dataDir, `${TASKS_FILE_NAME}.lock`);
      mkdirSync(lock);
      const future = Date.now() / 1000 + HOUR_S;
      utimesSync(lock, future, future);

      expect(await lifecycle.propose({ slug: "after", description: "After" })).toMatchObject({ ok: true, version: 2 });
      const file = JSON.parse(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")) as {
        projects: Array<{ name: string }>;
      };
      expect(file.projects.map((entry) => entry.name)).toEqual(["before", "after"]);
      expect(existsSync(lock)).toBe(false);
    },
  );
});
