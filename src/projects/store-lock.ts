import { basename, dirname } from "node:path";
import { acquireHandoverLock } from "./lock-handover.ts";
import { fail, type Result } from "./result.ts";
import { fileInTheWay, makeFoldersSync } from "./make-folders.ts";
import { operatorDetails } from "./operator-fix.ts";

/**
 * Runs `job` holding proper-lockfile's lock on `path`; a lock that cannot be had is a `store_io` failure.
 * A waiting writer wakes the moment the holder releases (lock-handover.ts); proper-lockfile's lock and its
 * stale takeover (after `staleMs`) stay the cross-process contract. It gives up after 3 × staleMs.
 */
export async function withStoreLock<T>(
  path: string,
  staleMs: number,
  job: () => Promise<Result<T>>,
): Promise<Result<T>> {
  let release: () => Promise<void>;
  try {
    release = await lockCreatingFolder(path, staleMs);
  } catch (error) {
    // Held too long is another writer's doing and passes; anything else (a folder that cannot be made, no
    // permission) will not pass by retrying and is the operator's.
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      // Said to whoever asked, a chat member too: the file's name, not where it lives on the server.
      return fail(
        "store_io",
        `${basename(path)} is busy: planbot waited ${Math.round((3 * staleMs) / 1000)} s for its lock and another change still held it. Nothing was changed; try again in a moment. If it stays busy, a writer may be stuck: planbot's admin can look at ${basename(path)}.lock.`,
        { details: { path, busy: true } },
      );
    }
    const blocker = (error as NodeJS.ErrnoException).code === "ENOTDIR" ? fileInTheWay(path) : undefined;
    const why = blocker ? `${blocker} is a file, not a folder` : (error as Error).message;
    return fail(
      "store_io",
      `Could not lock ${path}: ${why}. Check that planbot may create and write its data folder (PLANBOT_DATA_DIR).`,
      { details: { path, ...operatorDetails("data_unwritable", error) } },
    );
  }
  try {
    return await job();
  } finally {
    await release().catch(() => undefined);
  }
}

/** Takes the lock; the store's folder is created only when the lock cannot be made for want of it. */
async function lockCreatingFolder(path: string, staleMs: number): Promise<() => Promise<void>> {
  try {
    return await acquireHandoverLock(path, { staleMs });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    makeFoldersSync(dirname(path));
    return await acquireHandoverLock(path, { staleMs });
  }
}
