import { DEFAULT_FOLDER_SYNC_MS } from "../config.ts";
import { syncFolderSync } from "./atomic-write.ts";

/**
 * When a store write's rename reaches the disk. The temp file is fsynced before the rename, so a crash never
 * leaves a torn or empty file; what the folder's fsync adds is that the rename itself survives a power loss.
 * Every fsync costs a device flush (about as much as the whole rest of a write on a virtual disk), so the
 * folder's fsync is, by default, coalesced: the first write in a quiet folder schedules one fsync within
 * `windowMs`, later writes join it, and the process flushes what is pending when it exits. A power loss can
 * then undo at most the last `windowMs` of acknowledged changes — never tear them (Redis's `everysec`, in
 * short). A window of 0 fsyncs the folder before every write is acknowledged. A scheduled fsync that fails
 * is reported by the next write to that folder, so a failing disk is not silent.
 */
export interface FolderSyncer {
  /** Makes the renames done in `folder` durable now (windowMs 0) or within windowMs; throws an earlier or a present failure. */
  afterWrite(folder: string): void;
  /** Runs every scheduled fsync now (at exit). */
  flush(): void;
}

/** Creates a {@link FolderSyncer}; `sync` is the fsync itself (a test seam). */
export function createFolderSyncer(
  windowMs: () => number,
  sync: (folder: string) => void = syncFolderSync,
): FolderSyncer {
  const scheduled = new Map<string, NodeJS.Timeout>();
  const failed = new Map<string, Error>();

  function run(folder: string): void {
    scheduled.delete(folder);
    try {
      sync(folder);
    } catch (error) {
      failed.set(folder, error as Error);
    }
  }

  return {
    afterWrite(folder) {
      const earlier = failed.get(folder);
      if (earlier) {
        failed.delete(folder);
        throw earlier;
      }
      const ms = windowMs();
      if (ms <= 0) {
        sync(folder);
        return;
      }
      if (scheduled.has(folder)) return;
      const timer = setTimeout(() => run(folder), ms);
      timer.unref();
      scheduled.set(folder, timer);
    },
    flush() {
      for (const [folder, timer] of scheduled) {
        clearTimeout(timer);
        run(folder);
      }
    },
  };
}

let windowMs = DEFAULT_FOLDER_SYNC_MS;

/** The process's syncer, shared by every store file (they live in the same few folders). */
export const folderSyncer = createFolderSyncer(() => windowMs);
process.once("exit", () => folderSyncer.flush());

/** Sets the window for this process (`STORE_FOLDER_SYNC_MS`, applied where the configuration is loaded). */
export function setFolderSyncWindow(ms: number): void {
  windowMs = ms;
}
