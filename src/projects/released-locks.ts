import { basename, dirname, join } from "node:path";

/**
 * Where a writer moves a lock folder it releases before removing it: `.<file>.lock.released/`, beside the
 * lock. Removing a folder frees its block while the kernel holds the lock of the folder it is in (Linux's
 * rmdir drops the last reference before it unlocks the parent), and on a disk mounted with `discard` that
 * waits for the device. Done in the store's own folder, every other writer's lookup of the lock, its
 * mkdir and its renames there waited for it; done in this folder, nobody on the store's path does.
 * The folder stays once made; what a killed writer leaves in it is swept (atomic-write.ts).
 */
export function releasedLocksFolder(lockPath: string): string {
  return join(dirname(lockPath), `.${basename(lockPath)}.released`);
}

/** The name a released lock folder gets in {@link releasedLocksFolder}: `<file>.lock.released.<pid>.<tag>`. */
export function releasedLockName(lockPath: string, tag: string): string {
  return `${basename(lockPath)}.released.${process.pid}.${tag}`;
}
