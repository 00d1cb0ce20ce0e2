import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { releasedLockName, releasedLocksFolder } from "./released-locks.ts";

/**
 * proper-lockfile's lock, taken and released synchronously, with the same on-disk contract as its `lock`
 * (a `<file>.lock` folder whose mtime the holder refreshes, taken over once stale).
 *
 * Why not its own `lockSync`: that wraps the file system anew on every call, and proper-lockfile caches the
 * file system's mtime precision on that wrapper, so every `lockSync` probes it again: a `utimes` on the new
 * lock (one more journalled change, and one more file event that wakes every waiting writer). Here one
 * wrapper lives as long as the process, so the probe runs once. proper-lockfile is pinned (4.1.2) and has
 * no `exports` map; its `lib/` modules are what its own entry point calls.
 */

type Callback<T> = (error: NodeJS.ErrnoException | null, value?: T) => void;
type CallbackRelease = (done?: Callback<void>) => void;

interface LockfileCore {
  lock(file: string, options: object, callback: Callback<CallbackRelease>): void;
}

interface LockfileAdapter {
  toSync<A extends unknown[], R>(method: (...args: [...A, Callback<R>]) => void): (...args: A) => R;
  toSyncOptions(options: object): { fs: object };
}

const require = createRequire(import.meta.url);
const core = require("proper-lockfile/lib/lockfile.js") as LockfileCore;
const adapter = require("proper-lockfile/lib/adapter.js") as LockfileAdapter;

/** Unique per process, for the names of released lock folders. */
const processTag = randomBytes(4).toString("hex");
let releaseCounter = 0;

/**
 * The release: the lock folder is moved into {@link releasedLocksFolder} and removed there. To every other
 * writer the lock is gone the moment the rename returns, exactly as after proper-lockfile's rmdir; but
 * removing a folder frees its inode and block, which took longer than the rest of the hand-over, and in the
 * store's folder every other writer's next step waited for it (released-locks.ts says why). The removal is
 * synchronous: the lock is free by then, and a thread-pool round trip (two thread wake-ups) cost this VM
 * more CPU than the rmdir, CPU that the writers contending on two cores share. When the folder cannot be
 * moved there (it cannot be made), it is removed in place, as proper-lockfile does. A folder left by a
 * writer that died in between is swept with the store's temp files (atomic-write.ts).
 */
function releaseAside(lockPath: string): void {
  releaseCounter += 1;
  const folder = releasedLocksFolder(lockPath);
  const aside = join(folder, releasedLockName(lockPath, `${processTag}${releaseCounter.toString(16)}`));
  if (!moveAside(lockPath, folder, aside)) {
    fs.rmdirSync(lockPath);
    return;
  }
  try {
    fs.rmdirSync(aside);
  } catch {
    // Released all the same; the folder left aside is a sweep's to remove.
  }
}

/** Renames the lock folder to `aside`, making `folder` first when it is missing; false when it cannot. */
function moveAside(lockPath: string, folder: string, aside: string): boolean {
  try {
    fs.renameSync(lockPath, aside);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return false;
  }
  // The first release in a new data folder (or the lock itself is gone: the rename fails again).
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.renameSync(lockPath, aside);
    return true;
  } catch {
    return false;
  }
}

/** The one synchronous file system proper-lockfile sees in this process (it caches the mtime precision on it). */
const syncFs = adapter.toSyncOptions({ fs: { ...fs, rmdirSync: releaseAside } }).fs;

/** proper-lockfile's lock options that apply here (`retries` must stay 0: a synchronous lock cannot wait). */
export interface SyncLockOptions {
  realpath: false;
  stale: number;
  update: number;
  onCompromised: (error: Error) => void;
}

/** Takes the lock on `file` or throws (`ELOCKED` when someone holds it); returns its synchronous release. */
export function lockFileSync(file: string, options: SyncLockOptions): () => void {
  const lock = adapter.toSync<[string, object], CallbackRelease>(core.lock.bind(core));
  const release = lock(file, { ...options, retries: 0, fs: syncFs });
  return adapter.toSync<[], void>(release);
}
