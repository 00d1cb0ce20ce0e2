import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";

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
 * The release: the lock folder is renamed aside (`<file>.lock.released.<pid>.<hex>`) and removed after.
 * To every other writer the lock is gone the moment the rename returns, exactly as after proper-lockfile's
 * rmdir; but removing a folder frees its inode and block, a journalled step that took longer than the
 * rest of the hand-over, and the next writer was waiting for it. The removal itself is synchronous: the
 * lock is free by then, and a thread-pool round trip (two thread wake-ups) cost this VM more CPU than
 * the rmdir, CPU that the writers contending on two cores share. A folder left aside by a writer that
 * died in between is swept with the store's temp files (atomic-write.ts).
 */
function releaseAside(lockPath: string): void {
  releaseCounter += 1;
  const aside = `${lockPath}.released.${process.pid}.${processTag}${releaseCounter.toString(16)}`;
  fs.renameSync(lockPath, aside);
  try {
    fs.rmdirSync(aside);
  } catch {
    // Released all the same; the folder left aside is a sweep's to remove.
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
