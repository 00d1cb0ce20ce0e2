import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  futimesSync,
  openSync,
  renameSync,
  unlink,
  unlinkSync,
} from "node:fs";
import { tempStem } from "./temp-names.ts";

/**
 * The temp file a store write fills under its lock: made ready before the lock is waited for, and recycled
 * from the version this process's previous write replaced, so that a write neither makes nor removes a file.
 *
 * Why: making a file allocates an inode, and removing the last name of a replaced one frees it. Both are
 * journalled changes, the costliest part of a write on ext4, and every writer's such changes delay the lock
 * holder's. The replaced version keeps its second name (`.old`) until the new file is on disk anyway;
 * instead of removing that name, the writer keeps the file as its spare, empties it before its next write
 * waits for the lock, and writes that version into it. docs/architecture.md, "The store's write path", says
 * what this asks of readers and why the file is emptied rather than overwritten.
 */

/** A temp file made ready for a replacement still to come. */
export interface PreparedTemp {
  target: string;
  stem: string;
  fd: number;
  /** Whether it is a recycled version (emptied already): its write must stamp a time of its own. */
  recycled: boolean;
}

/** This process's prepared temp files not yet used or discarded: a sweep leaves them alone. */
const prepared = new Set<string>();
/** Per target, this process's spare: the file its last write replaced, by its current name. */
const spares = new Map<string, string>();
/** Whether the exit hook that removes the spares is set. */
let exitHookSet = false;
/** The last modification time {@link stampDistinctMtime} set, in seconds. */
let lastStamp = 0;
const idleTimers = new Map<string, NodeJS.Timeout>();
/** How long a spare waits for the next write before it is removed. */
const SPARE_IDLE_MS = 10_000;

/**
 * A spare last written longer ago than this is removed rather than reused: another process's sweep counts a
 * live writer's file as a leftover once it is 10 minutes old (atomic-write.ts), and a recycled temp file
 * keeps the age of the version it held.
 */
const SPARE_MAX_AGE_MS = 5 * 60_000;

/**
 * Makes the temp file of a coming replacement of `target` now, before the writer waits for its lock:
 * this process's spare when it has a fresh one, renamed to the new temp name, or else a new empty file.
 * Undefined when none can be made here (no folder yet): the replacement then makes its own.
 */
export function prepareTempSync(target: string): PreparedTemp | undefined {
  const stem = tempStem(target);
  const temp = `${stem}.tmp`;
  const spare = takeSpareName(target);
  if (spare) {
    try {
      renameSync(spare, temp);
      // Never through a link: a store that was a symbolic link has that link as its replaced version.
      const fd = openSync(temp, constants.O_RDWR | constants.O_NOFOLLOW);
      const held = fstatSync(fd);
      // Only a file of this user: setting another user's file's times is refused (EPERM), even where the
      // file itself is writable (a group-writable store an echo-core tool wrote). And only a file with no
      // other name: a hard link elsewhere (a backup made with `cp -al` or rsnapshot) must keep its text.
      const ours = held.uid === process.getuid?.() && held.nlink === 1;
      if (ours && Date.now() - held.mtimeMs <= SPARE_MAX_AGE_MS) {
        // Emptied now, outside the lock: the text written into it later then lands in newly allocated blocks,
        // which ext4 writes before it commits the rename over the store (auto_da_alloc). Text written over
        // the old blocks in place is not ordered so: a crash after the rename could show the version this
        // file held before, whole, and an acknowledged change would be silently gone.
        ftruncateSync(fd, 0);
        prepared.add(temp);
        return { target, stem, fd, recycled: true };
      }
      closeSync(fd);
    } catch {
      // Gone (a sweep), or not ours to reuse: a new file then.
    }
    removeQuietly(temp);
  }
  try {
    const fd = openSync(temp, "wx", 0o644);
    prepared.add(temp);
    return { target, stem, fd, recycled: false };
  } catch {
    return undefined;
  }
}

/** The replacement took `temp`: it is no longer waiting, and its writer now answers for it. */
export function usePreparedTemp(temp: PreparedTemp): void {
  prepared.delete(`${temp.stem}.tmp`);
}

/**
 * Removes a prepared temp file that no replacement used (nothing to write, or no lock to be had): a refused
 * change leaves nothing behind. Rare enough that a recycled one is not kept for the next write.
 */
export function discardTempSync(temp: PreparedTemp): void {
  const path = `${temp.stem}.tmp`;
  if (!prepared.delete(path)) return;
  try {
    closeSync(temp.fd);
  } catch {
    // Closed already.
  }
  removeQuietly(path);
}

/**
 * Keeps the file at `path` (the second name of the version a write replaced) as the spare of `target`'s
 * next write; a spare kept before is removed. A spare not taken within {@link SPARE_IDLE_MS}, and every spare
 * when the process exits, is removed: a data folder at rest holds no files of writers that are not writing.
 */
export function keepAsSpare(target: string, path: string): void {
  const previous = takeSpareName(target);
  if (previous && previous !== path) removeQuietly(previous);
  if (!exitHookSet) process.once("exit", removeSpares);
  exitHookSet = true;
  spares.set(target, path);
  const timer = setTimeout(() => {
    const idle = takeSpareName(target);
    if (idle) unlink(idle, () => undefined);
  }, SPARE_IDLE_MS);
  timer.unref();
  idleTimers.set(target, timer);
}

/** Whether `path` is one of this process's files still in use (prepared, or a spare): a sweep leaves it. */
export function isInUse(path: string): boolean {
  if (prepared.has(path)) return true;
  for (const spare of spares.values()) if (spare === path) return true;
  return false;
}

/**
 * A modification time no earlier write of the store has: the current time to the microsecond, past the last
 * one this process set. A recycled file's inode number comes back, and the kernel's own timestamps tick only
 * every few milliseconds, so without it a reader could take the new version for the one it cached
 * (json-file-reader.ts compares inode, size and times). Another process's stamps differ too: writes take
 * turns under the lock, at least tens of microseconds apart.
 */
export function stampDistinctMtime(fd: number): void {
  let seconds = (performance.timeOrigin + performance.now()) / 1000;
  if (seconds <= lastStamp) seconds = lastStamp + 1e-6;
  lastStamp = seconds;
  futimesSync(fd, seconds, seconds);
}

/** Takes `target`'s spare out of the books (its file stays), stopping its idle timer. */
function takeSpareName(target: string): string | undefined {
  clearTimeout(idleTimers.get(target));
  idleTimers.delete(target);
  const spare = spares.get(target);
  spares.delete(target);
  return spare;
}

function removeSpares(): void {
  for (const target of [...spares.keys()]) {
    const spare = takeSpareName(target);
    if (spare) removeQuietly(spare);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already: a sweep's or nobody's.
  }
}
