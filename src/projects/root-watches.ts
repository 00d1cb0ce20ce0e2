import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { TASKS_FILE_NAME } from "./project-store.ts";
import { makeFoldersSync } from "./make-folders.ts";

/** What the change watcher hears from the three folders it watches besides the projects' own. */
export interface RootWatchEvents {
  /** The store file (or, when the platform names no file, something in the data folder) changed. */
  store(): void;
  /** A folder appeared, vanished or changed in the workspace folder; `file` names it when the platform does. */
  folder(file: string | null): void;
  /** A planning session file changed: planner replies change a project's preview. */
  sessions(): void;
}

/**
 * Watches the data folder (for the store file), the workspace folder (for project folders coming and
 * going) and `<data>/sessions` (for planning previews), creating the sessions folder if needed. Returns
 * the watchers for the caller to close; their errors go to `onError`.
 */
export function watchRoots(
  dirs: { dataDir: string; workspaceDir: string },
  events: RootWatchEvents,
  onError: (error: unknown) => void,
): FSWatcher[] {
  const dataWatcher = watch(dirs.dataDir, { persistent: false }, (_event, file) => {
    if (file === null || file === TASKS_FILE_NAME) events.store();
  });
  const folderWatcher = watch(dirs.workspaceDir, { persistent: false }, (_event, file) => events.folder(file));
  makeFoldersSync(join(dirs.dataDir, "sessions"));
  const sessionsWatcher = watch(join(dirs.dataDir, "sessions"), { persistent: false }, () => events.sessions());
  const watchers = [dataWatcher, folderWatcher, sessionsWatcher];
  for (const watcher of watchers) watcher.on("error", onError);
  return watchers;
}
