import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { open, rename, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Replacing a file atomically, and cleaning up after writers that could not. A store is written to
 * `.<name>.<pid>.<random>.tmp` beside it, fsynced, renamed over it, and the folder is fsynced. A write
 * that fails (a full disk) removes its temp file; a writer killed mid-write cannot, so every writer sweeps
 * such leftovers after its own write: a file whose writer's PID is gone is nobody's.
 */

/** Unique per process (a PID can come back after a crash), so a temp name needs no random bytes per write. */
const processTag = randomBytes(4).toString("hex");
let tempCounter = 0;

/** `.<name>.<pid>.<hex>`, the stem of a temp (or superseded) file of `target`. */
function tempStem(target: string): string {
  tempCounter += 1;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${processTag}${tempCounter.toString(16)}`);
}

/**
 * What `target`'s writers leave beside it while they work, and a killed one leaves for good: temp files
 * `.<name>.<pid>.<hex>.tmp`, superseded files' second names `.<name>.<pid>.<hex>.old`, and lock folders
 * released aside `<name>.lock.released.<pid>.<hex>` (sync-lockfile.ts). The PID is group 1 or 2.
 */
function leftoverPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `^(?:\\.${name}\\.(\\d+)\\.[0-9a-f]+\\.(?:tmp|old)|${name}\\.lock\\.released\\.(\\d+)\\.[0-9a-f]+)$`,
  );
}

/** Writes `text` to `target` through a temp file; on any failure the temp file is removed and the error thrown. */
export async function writeFileAtomically(target: string, text: string): Promise<void> {
  const folder = dirname(target);
  const temp = `${tempStem(target)}.tmp`;
  const handle = await open(temp, "wx", 0o644);
  try {
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    // ENOSPC, EFBIG, EIO…: the temp file would otherwise eat the space that is already short, forever.
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const folderHandle = await open(folder, "r");
  try {
    await folderHandle.sync();
  } finally {
    await folderHandle.close();
  }
}

/**
 * The first half of {@link writeFileAtomically}, without leaving the thread: temp file, fsync, rename —
 * for a writer holding a lock (the stores), where each step would otherwise be a thread-pool round trip
 * while every other writer waits. The rename is atomic and the data is on disk before it, so a crash
 * leaves the old file or the new one, never a torn one. The rename itself is durable once the folder is
 * fsynced ({@link syncFolderSync}), which the caller does after letting go of the lock.
 */
export function replaceFileSync(target: string, text: string): string | undefined {
  const stem = tempStem(target);
  const temp = `${stem}.tmp`;
  let superseded: string | undefined;
  const fd = openSync(temp, "wx", 0o644);
  try {
    try {
      // writeFileSync loops until every byte is written: one writeSync may write part of it (a disk filling
      // up, a file-size limit) and report no error, and a short file must never be renamed over the store.
      writeFileSync(fd, text, "utf8");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    superseded = keepSuperseded(target, `${stem}.old`);
    renameSync(temp, target);
  } catch (error) {
    // ENOSPC, EFBIG, EIO…: the temp file would otherwise eat the space that is already short, forever.
    for (const leftover of [temp, superseded]) {
      try {
        if (leftover) unlinkSync(leftover);
      } catch {
        // already gone
      }
    }
    throw error;
  }
  return superseded;
}

/**
 * A second name for the file about to be replaced, so the rename over it does not free it: freeing an inode
 * and its blocks is the costliest step of a rename over a file, and the store renames under its lock. The
 * caller removes the second name after letting go of the lock. Undefined when there is no file yet or the
 * file system has no hard links (the rename then frees it, as before).
 */
function keepSuperseded(target: string, name: string): string | undefined {
  try {
    linkSync(target, name);
    return name;
  } catch {
    return undefined;
  }
}

/**
 * Makes the renames done in `folder` durable (the second half of {@link writeFileAtomically}). A store
 * calls it after releasing its lock: the next writer can already read and build on the new file (the
 * page cache is shared), and nobody is told the change happened before this returns. On a journalling
 * file system a later writer's change commits after this one, so a change another writer built on is
 * never durable without it; and concurrent writers' folder fsyncs share one journal commit.
 */
export function syncFolderSync(folder: string): void {
  const folderFd = openSync(folder, "r");
  try {
    fsyncSync(folderFd);
  } finally {
    closeSync(folderFd);
  }
}

/**
 * What a writer does after {@link replaceFileSync}, once it has let go of the lock: fsync the folder, then
 * remove the superseded file's second name and any leftovers of killed writers (none of it needs the lock).
 * Throws only when the fsync fails, and cleans up even then.
 */
export async function settleReplacement(target: string, superseded: string | undefined): Promise<void> {
  try {
    syncFolderSync(dirname(target));
  } finally {
    if (superseded) {
      try {
        unlinkSync(superseded);
      } catch {
        // A sweep got there first.
      }
    }
    await sweepStaleTemps(target);
  }
}

/** Options of {@link sweepStaleTemps}. */
export interface SweepOptions {
  /** A temp file this old is stale even if its PID is alive again (PIDs are reused). Default 10 minutes. */
  maxAgeMs?: number;
  /** Whether a PID is a running process (tests may stub it; default `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes `target`'s leftovers ({@link leftoverPattern}) whose writer is gone: its PID is not running, it is this
 * process's own (this process writes `target` one write at a time, and the caller is that write, done), or
 * it is older than `maxAgeMs`. A live writer's files are never touched, so no lock is needed. Returns the
 * names removed; never throws.
 */
export async function sweepStaleTemps(target: string, options: SweepOptions = {}): Promise<string[]> {
  const folder = dirname(target);
  const pattern = leftoverPattern(target);
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const isAlive = options.isAlive ?? pidIsAlive;
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => pattern.test(name));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name)!;
    const pid = Number(match[1] ?? match[2]);
    const path = join(folder, name);
    const info = statSync(path, { throwIfNoEntry: false });
    const expected = match[1] ? info?.isFile() : info?.isDirectory();
    if (!info || !expected) continue;
    const stale = pid === process.pid || !isAlive(pid) || Date.now() - info.mtimeMs > maxAgeMs;
    if (!stale) continue;
    try {
      await (match[1] ? unlink(path) : rmdir(path));
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: the next sweep tries again.
    }
  }
  return removed;
}

function pidIsAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
