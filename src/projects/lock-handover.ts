import { statSync, watch, type FSWatcher, type Stats } from "node:fs";
import { mkdir, rmdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { lockFileSync } from "./sync-lockfile.ts";

/** Frees a lock taken by {@link acquireHandoverLock}. */
export type ReleaseLock = () => Promise<void>;

/** What a waiting acquire went through, for logs and tests (never needed for correctness). */
export type HandoverEvent =
  /** The lock is held by someone else; the waiter now sleeps until an event or a timer (sent once). */
  { type: "waiting" } | { type: "woken"; by: "file-event" | "timer" } | { type: "future-lock-removed"; mtime: string };

/** Options of {@link acquireHandoverLock}. */
export interface HandoverLockOptions {
  /** proper-lockfile's stale timeout (at least 2000 ms): a lock nobody refreshed for this long is taken over. */
  staleMs: number;
  /** Give up with an `ELOCKED` error after waiting this long; default 3 × staleMs. */
  maxWaitMs?: number;
  /**
   * Longest sleep between attempts when no file event arrives: a safety net for file systems that report
   * no events (network mounts); default 100 ms. A release on a local disk wakes the waiter at once.
   */
  safetyNetMs?: number;
  /** Called when the lock's refresh failed (proper-lockfile's `onCompromised`); default: ignore. */
  onCompromised?: (error: Error) => void;
  observe?: (event: HandoverEvent) => void;
}

/**
 * Takes proper-lockfile's lock on `path` (the `<path>.lock` folder, refreshed while held, taken over once
 * stale), so every process that uses proper-lockfile with the same path and stale timeout stays excluded.
 * What changes is the wait: instead of retrying on a timer, a waiter watches the lock's folder and tries
 * again the moment the lock folder is removed (inotify on Linux), so no gap opens between one writer's
 * release and the next one's attempt, and waiters burn no CPU polling. Timers remain only where no file
 * event can come: when the lock turns stale, and as a slow safety net.
 *
 * A lock whose mtime lies in the future (left by a holder whose clock was ahead, or before the clock was
 * set back) is never stale by proper-lockfile's rule while the clock is behind it, so it would block every
 * writer. A live holder rewrites the mtime every staleMs / 2; a future lock seen unchanged (same inode,
 * mtime and ctime) for staleMs on this process's monotonic clock therefore has no live holder, and is
 * removed the way proper-lockfile removes a stale one.
 */
export async function acquireHandoverLock(path: string, options: HandoverLockOptions): Promise<ReleaseLock> {
  const staleMs = Math.max(2000, options.staleMs);
  const lockOptions = {
    realpath: false as const,
    // proper-lockfile's own takeover (stat, judge stale, rmdir, mkdir) races when two waiters judge the same
    // stale lock at once: the slower one removes the lock the faster one just took, and both hold it.
    // Waiters woken together by a release make that likely, so planbot never lets proper-lockfile take a
    // lock over; it does so itself below, one taker at a time (takeOverStale). The refresh still runs
    // every staleMs / 2, so plain proper-lockfile users with the same stale timeout stay excluded.
    stale: Number.MAX_SAFE_INTEGER,
    update: Math.floor(staleMs / 2),
    onCompromised: options.onCompromised ?? (() => undefined),
  };
  // Synchronous: an attempt is a mkdir (and a stat of the new lock), and each thread-pool round trip is time
  // in which the lock stands free or other writers wait.
  const attempt = (): ReleaseLock | undefined => {
    try {
      const releaseSync = lockFileSync(path, lockOptions);
      return async () => releaseSync();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ELOCKED") return undefined;
      throw error;
    }
  };

  // The common case, no contention: one mkdir, no watcher.
  const first = attempt();
  if (first) return first;

  const lockPath = `${path}.lock`;
  const maxWaitMs = options.maxWaitMs ?? staleMs * 3;
  const safetyNetMs = options.safetyNetMs ?? 100;
  const deadline = performance.now() + maxWaitMs;
  const futureLock = createFutureLockTracker(staleMs);
  // Watch before the next look: a release between that look and the wait is then still seen.
  const waiter = watchForRelease(lockPath);
  let waited = false;
  try {
    for (;;) {
      // Every waiter wakes on every event of the lock folder, its creation too: a stat tells a release from a
      // new holder, so only a waiter that sees the lock gone tries to take it.
      let lock = statSync(lockPath, { throwIfNoEntry: false });
      if (!lock) {
        const release = attempt();
        if (release) return release;
        lock = statSync(lockPath, { throwIfNoEntry: false });
        if (!lock) continue;
      }
      if (futureLock.abandoned(lock)) {
        if (await takeOverStale(lockPath, lock, staleMs))
          options.observe?.({ type: "future-lock-removed", mtime: lock.mtime.toISOString() });
        continue;
      }
      // Stale by proper-lockfile's rule: nobody refreshed it for staleMs (its holder died).
      if (lock.mtimeMs < Date.now() - staleMs) {
        await takeOverStale(lockPath, lock, staleMs);
        continue;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw Object.assign(new Error(`Lock file is already being held (waited ${maxWaitMs} ms)`), {
          code: "ELOCKED",
          file: path,
        });
      }
      const untilStale = Math.max(1, futureLock.msUntilDecision(lock) ?? lock.mtimeMs + staleMs - Date.now() + 5);
      if (!waited) options.observe?.({ type: "waiting" });
      waited = true;
      const by = await waiter.next(Math.min(remaining, untilStale, waiter.broken ? 5 : safetyNetMs));
      options.observe?.({ type: "woken", by });
    }
  } finally {
    waiter.close();
  }
}

interface ReleaseWaiter {
  /** True when the folder could not be watched: the caller then retries on a short timer instead. */
  readonly broken: boolean;
  /** Resolves when the lock folder was created or removed since the last call, or after `ms`. */
  next(ms: number): Promise<"file-event" | "timer">;
  close(): void;
}

/** Watches the lock's parent folder for events naming the lock folder (its removal is the release). */
function watchForRelease(lockPath: string): ReleaseWaiter {
  const name = basename(lockPath);
  let pending = false;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  const state = { broken: false };
  const signal = () => {
    pending = true;
    wake?.();
  };
  try {
    // Every event naming the lock folder wakes the waiter, which then looks (a stat): Node reports a folder's
    // mtime refresh as "rename" too, so the event's kind cannot tell a release from a refresh.
    watcher = watch(dirname(lockPath), { persistent: false }, (_event, file) => {
      if (file === null || file === name) signal();
    });
    watcher.on("error", () => {
      state.broken = true;
      signal();
    });
  } catch {
    state.broken = true;
  }
  return {
    get broken() {
      return state.broken;
    },
    next(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve("file-event");
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = undefined;
          resolve("timer");
        }, ms);
        wake = () => {
          wake = undefined;
          pending = false;
          clearTimeout(timer);
          resolve("file-event");
        };
      });
    },
    close() {
      wake = undefined;
      watcher?.close();
    },
  };
}

function lockIdentity(lock: Stats): string {
  return `${lock.ino}:${lock.mtimeMs}:${lock.ctimeMs}`;
}

/** Tells a future-dated lock that nobody refreshes (abandoned) from one a live holder keeps rewriting. */
function createFutureLockTracker(staleMs: number) {
  let seen: { identity: string; since: number } | undefined;
  /** When `lock` is future-dated: how long this lock has been watched unchanged, tracking it from now on. */
  const unchangedFor = (lock: Stats): number | undefined => {
    if (lock.mtimeMs <= Date.now()) {
      seen = undefined;
      return undefined;
    }
    const identity = lockIdentity(lock);
    if (seen?.identity !== identity) seen = { identity, since: performance.now() };
    return performance.now() - seen.since;
  };
  return {
    abandoned(lock: Stats): boolean {
      const age = unchangedFor(lock);
      return age !== undefined && age >= staleMs;
    },
    /** For a future-dated lock, ms until it counts as abandoned; undefined for an ordinary one. */
    msUntilDecision(lock: Stats): number | undefined {
      const age = unchangedFor(lock);
      return age === undefined ? undefined : staleMs - age + 5;
    },
  };
}

/**
 * Removes a lock judged stale or abandoned, only if it is still that same lock, and only one taker at a
 * time: the `<lock>.takeover` folder (mkdir is atomic) makes "is it still the one I judged? then remove it"
 * a step no other planbot interleaves with. Without it, a taker that judged the old lock could remove the
 * new lock another taker had just made. A takeover folder left by a taker that died (it is held for
 * microseconds) is removed once it is staleMs old. True when the lock was removed.
 */
async function takeOverStale(lockPath: string, judged: Stats, staleMs: number): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const held = statSync(guard, { throwIfNoEntry: false });
    if (held && held.mtimeMs < Date.now() - staleMs) await rmdir(guard).catch(() => undefined);
    return false;
  }
  try {
    const now = statSync(lockPath, { throwIfNoEntry: false });
    if (!now || lockIdentity(now) !== lockIdentity(judged)) return false;
    await rmdir(lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}
