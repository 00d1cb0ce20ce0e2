import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { open, rename, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomHex } from "./random-hex.ts";
import { releasedLocksFolder } from "./released-locks.ts";
import { folderSyncNeeded } from "./rename-durability.ts";

/**
 * Replacing a file atomically, and cleaning up after writers that could not. A file is written to
 * `.<name>.<pid>.<hex>.tmp` beside it and renamed over it; the new file and the rename are on disk before
 * anyone hears of the change (the folder's own fsync is skipped only where the file's covers the rename:
 * rename-durability.ts). A write that fails (a full disk) removes its temp file; a writer killed
 * mid-write cannot, so writers sweep such leftovers: a file whose writer's PID is gone is nobody's.
 */

/**
 * Unique per process (a PID can come back after a crash), so a temp name needs no random bytes per write;
 * drawn at the first write, so a process that only reads never loads node:crypto.
 */
let processTag: string | undefined;
let tempCounter = 0;

/** `.<name>.<pid>.<hex>`, the stem of a temp (or superseded) file of `target`. */
function tempStem(target: string): string {
  tempCounter += 1;
  processTag ??= randomHex(4);
  return join(dirname(target), `.${basename(target)}.${process.pid}.${processTag}${tempCounter.toString(16)}`);
}

/**
 * What `target`'s writers leave beside it while they work, and a killed one leaves for good: temp files
 * `.<name>.<pid>.<hex>.tmp`, superseded files' second names `.<name>.<pid>.<hex>.old`, and released lock
 * folders `<name>.lock.released.<pid>.<hex>`, in `.<name>.lock.released/` (sync-lockfile.ts; earlier
 * versions left them beside the file). The PID is group 1 or 2.
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

/** An empty temp file made ready for a {@link replaceFileSync} that is still to come. */
export interface PreparedTemp {
  stem: string;
  fd: number;
}

/** This process's prepared temp files not yet used or discarded: a sweep leaves them alone. */
const preparedTemps = new Set<string>();

/**
 * Creates the temp file of a coming {@link replaceFileSync} now, before the writer waits for its lock: making
 * a file is a change to the folder, and made under the lock it was time every other writer waited. Undefined
 * when it cannot be made here (no folder yet): the replacement then makes its own, as before.
 */
export function prepareTempSync(target: string): PreparedTemp | undefined {
  const stem = tempStem(target);
  try {
    const fd = openSync(`${stem}.tmp`, "wx", 0o644);
    preparedTemps.add(`${stem}.tmp`);
    return { stem, fd };
  } catch {
    return undefined;
  }
}

/** Removes a prepared temp file that no replacement used (nothing to write, or no lock to be had). */
export function discardTempSync(prepared: PreparedTemp): void {
  const temp = `${prepared.stem}.tmp`;
  if (!preparedTemps.delete(temp)) return;
  try {
    closeSync(prepared.fd);
    unlinkSync(temp);
  } catch {
    // Gone already: a sweep's to clear.
  }
}

/** A file written and renamed over its target by {@link replaceFileSync}, not yet on disk. */
export interface Replacement {
  /** The new file, still open: {@link settleReplacement} fsyncs and closes it. */
  fd: number;
  /** The second name the replaced file keeps until the new one is on disk (none when there was no file). */
  superseded: string | undefined;
}

/**
 * The first half of replacing a file, without leaving the thread and without waiting for the disk: temp
 * file, a second name for the file it replaces, rename. For a writer holding a lock (the stores), where
 * every step is time all other writers wait; the writer calls {@link settleReplacement} after letting go of
 * the lock, and nobody hears of the change before that returns.
 *
 * Why the fsync may come after the rename (docs/architecture.md, "The store's write path"): a crash before
 * it must leave the old file or the new one, whole. ext4 (its default `auto_da_alloc`) and btrfs write a
 * file's data before they commit a rename over another file, so the name shows one version or the other.
 * On a file system that does not, a power cut at that instant can leave the store empty or torn; the
 * replaced version keeps its second name until the fsync, and a store that cannot be read names that copy
 * (locked-json-file.ts). A later writer that built on this change writes the whole file again, so its own
 * fsync makes this change durable too; concurrent writers' fsyncs share one journal commit.
 */
export function replaceFileSync(target: string, text: string, prepared?: PreparedTemp): Replacement {
  const stem = prepared?.stem ?? tempStem(target);
  const temp = `${stem}.tmp`;
  let superseded: string | undefined;
  const fd = prepared?.fd ?? openSync(temp, "wx", 0o644);
  if (prepared) preparedTemps.delete(temp);
  try {
    // writeFileSync loops until every byte is written: one writeSync may write part of it (a disk filling
    // up, a file-size limit) and report no error, and a short file must never be renamed over the store.
    writeFileSync(fd, text, "utf8");
    superseded = keepSuperseded(target, `${stem}.old`);
    renameSync(temp, target);
  } catch (error) {
    closeSync(fd);
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
  return { fd, superseded };
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

/** Makes the renames done in `folder` durable (the last step of {@link writeFileAtomically} and {@link settleReplacement}). */
export function syncFolderSync(folder: string): void {
  const folderFd = openSync(folder, "r");
  try {
    fsyncSync(folderFd);
  } finally {
    closeSync(folderFd);
  }
}

/**
 * What a writer does after {@link replaceFileSync}, once it has let go of the lock: fsync the new file and,
 * where that fsync does not also cover the rename (rename-durability.ts), the folder; then remove the replaced file's second name. Throws when either fsync fails (the
 * change may not survive a crash), and cleans up even then; the second name then stays as the copy to go
 * back to.
 */
export function settleReplacement(target: string, replacement: Replacement): void {
  try {
    fsyncSync(replacement.fd);
  } finally {
    closeSync(replacement.fd);
  }
  // On ext4, XFS and btrfs the file's fsync, coming after the rename, made the rename durable too.
  const folder = dirname(target);
  if (folderSyncNeeded(folder)) syncFolderSync(folder);
  if (replacement.superseded) {
    try {
      unlinkSync(replacement.superseded);
    } catch {
      // A sweep got there first.
    }
  }
}

/**
 * The newest second name of a replaced version of `target` (`.<name>.<pid>.<hex>.old`) whose text
 * `isReadable` accepts. A writer keeps one until its new file is on disk, so after a crash that tore the
 * file it is the version to go back to.
 */
export function findSupersededCopy(target: string, isReadable: (text: string) => boolean): string | undefined {
  const folder = dirname(target);
  const pattern = leftoverPattern(target);
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => pattern.test(name) && name.endsWith(".old"));
  } catch {
    return undefined;
  }
  const copies = names
    .map((name) => join(folder, name))
    .map((path) => ({ path, mtimeMs: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const copy of copies) {
    try {
      if (isReadable(readFileSync(copy.path, "utf8"))) return copy.path;
    } catch {
      // Gone, or not readable either: an older copy may be.
    }
  }
  return undefined;
}

/** When each path was last swept by this process (see {@link sweepIsDue}). */
const lastSweeps = new Map<string, number>();

/**
 * Whether a successful write of `target` should sweep killed writers' leftovers now: on this process's
 * first write of it, then once a minute. Leftovers come only from writers killed mid-write, and a sweep
 * lists the folder, which every writer's renames there wait for. (A failed write sweeps always.)
 */
export function sweepIsDue(target: string): boolean {
  const last = lastSweeps.get(target);
  const now = performance.now();
  if (last !== undefined && now - last < 60_000) return false;
  lastSweeps.set(target, now);
  return true;
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
  const pattern = leftoverPattern(target);
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const isAlive = options.isAlive ?? pidIsAlive;
  const leftovers = [dirname(target), releasedLocksFolder(`${target}.lock`)].flatMap((folder) => {
    try {
      return readdirSync(folder)
        .filter((name) => pattern.test(name))
        .map((name) => ({ name, path: join(folder, name) }));
    } catch {
      return [];
    }
  });
  const removed: string[] = [];
  for (const { name, path } of leftovers) {
    const match = pattern.exec(name)!;
    const pid = Number(match[1] ?? match[2]);
    // Another write of this process, waiting for the lock with its temp file ready.
    if (preparedTemps.has(path)) continue;
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
