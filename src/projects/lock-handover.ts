import { statSync, watch, type FSWatcher, type Stats } from "node:fs";
import { mkdir, rmdir } from "node:fs/promises";
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

  const lockPath = `${path}.lock`;
  // The common case, no contention: one mkdir, no watcher. A lock already there is not tried for: a failed
  // attempt runs proper-lockfile's whole refusal (a stat of the lock, an error built and thrown), which costs
  // several times the stat that tells the same, and with writers contending most first looks find it held.
  if (!statSync(lockPath, { throwIfNoEntry: false })) {
    const first = attempt();
    if (first) return first;
  }

  const maxWaitMs = options.maxWaitMs ?? staleMs * 3;
  const safetyNetMs = options.safetyNetMs ?? 100;
  const deadline = performance.now() + maxWaitMs;
  const futureLock = createFutureLockTracker(staleMs);
  let waited = false;
  for (;;) {
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
    const watched = watchLockFolder(lockPath);
    // Gone between the look and the watch: released already, look again.
    if (watched === "gone") continue;
    if (!waited) options.observe?.({ type: "waiting" });
    waited = true;
    const by = await watched.wait(Math.min(remaining, untilStale, watched.broken ? 5 : safetyNetMs));
    options.observe?.({ type: "woken", by });
  }
}

interface LockFolderWatch {
  /** True when the folder could not be watched: the caller then looks again on a short timer instead. */
  readonly broken: boolean;
  /** Resolves on the first event of the watched lock folder (its removal, or its holder's refresh), or after `ms`. */
  wait(ms: number): Promise<"file-event" | "timer">;
}

/**
 * Watches one lock folder itself, not the folder it lives in: the store's folder sees a temp file, a rename
 * and a removal per write, and waking every waiter for each of them cost more CPU than the writes. The lock
 * folder's own events are its removal (the release) and its holder's mtime refresh; after a removal the
 * watch is dead, so the caller watches the next holder's folder anew. "gone" when there is no folder to watch.
 */
function watchLockFolder(lockPath: string): LockFolderWatch | "gone" {
  let watcher: FSWatcher | undefined;
  let fired = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    fired = true;
    wake?.();
  };
  let broken = false;
  try {
    watcher = watch(lockPath, { persistent: false }, signal);
    watcher.on("error", signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    broken = true;
  }
  return {
    broken,
    wait(ms) {
      return new Promise((resolve) => {
        const finish = (by: "file-event" | "timer") => {
          wake = undefined;
          clearTimeout(timer);
          watcher?.close();
          resolve(by);
        };
        const timer = setTimeout(() => finish("timer"), ms);
        if (fired) finish("file-event");
        else wake = () => finish("file-event");
      });
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
