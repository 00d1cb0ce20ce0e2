import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  watch,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

/**
 * The least a safe multi-process JSON store can do per mutation, hand-written, for the store bench's
 * reference row: take a lock (mkdir), read and parse the file, change one entry, write a temp file and rename
 * it over, release the lock, then fsync the file and the folder before the next mutation. No
 * proper-lockfile (no refresh, no stale takeover), no validation, no superseded copy, no sweep: what
 * planbot's store adds on top of this is what the bench's ratio between the two rows shows, and this row's
 * own ratio to the bare loop is what the simplest lock + rename + fsync code reaches on that disk.
 */
export async function minimalStoreMutations(target: string, id: number, count: number): Promise<number> {
  const lock = `${target}.lock`;
  const temp = `${target}.${process.pid}.tmp`;
  for (let n = 0; n < count; n += 1) {
    while (!tryLock(lock)) await lockGone(lock);
    const data = readOrEmpty(target);
    const entry = data.projects.find((project) => project.name === `bench-${id}`);
    if (entry) entry.hits = (entry.hits ?? 0) + 1;
    else data.projects.push({ name: `bench-${id}`, hits: 1 });
    data.version += 1;
    const fd = openSync(temp, "w", 0o644);
    writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(temp, target);
    rmdirSync(lock);
    fsyncSync(fd);
    closeSync(fd);
    const folder = openSync(dirname(target), "r");
    fsyncSync(folder);
    closeSync(folder);
  }
  return count;
}

interface MinimalFile {
  projects: { name: string; hits?: number }[];
  version: number;
}

function readOrEmpty(target: string): MinimalFile {
  try {
    return JSON.parse(readFileSync(target, "utf8")) as MinimalFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { projects: [], version: 0 };
    throw error;
  }
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** Resolves when the lock folder changes (its removal), or after 5 ms as a safety net. */
function lockGone(lock: string): Promise<void> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, 5);
    try {
      watcher = watch(lock, { persistent: false }, done);
      watcher.on("error", done);
    } catch {
      // Gone already: try again at once.
      done();
    }
  });
}
