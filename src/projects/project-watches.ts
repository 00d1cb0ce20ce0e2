import { statSync, watch, type FSWatcher } from "node:fs";
import { dirname, join } from "node:path";
import { workspaceFolders } from "./workspace-reads.ts";
import { ralphDir } from "./workspace.ts";

/** What the change watcher hears from a project's folder watch. */
export interface ProjectWatchEvents {
  /** Something changed in the watched folder of `slug`. */
  changed(slug: string): void;
  /** The watch of `slug` failed (its folder was removed or replaced): the folder list needs a fresh look. */
  lost(slug: string): void;
}

/**
 * One file watch per project folder in the workspace folder. A project is watched at its
 * `scripts/ralph/` once that exists (Ralph's prd.json, logs and PID file live there), and until then at
 * the deepest folder on the way to it, so the watch moves down as the folders appear.
 */
export interface ProjectWatches {
  /** Watches a project, moving the watch down once scripts/ralph exists and re-watching a replaced folder. */
  watch(slug: string): void;
  has(slug: string): boolean;
  /**
   * Compares the watched projects with the folders in the workspace folder: new folders are watched,
   * vanished ones unwatched. Returns the slugs of both.
   */
  sync(): Set<string>;
  /** Closes every watch. */
  close(): void;
}

/** Creates the {@link ProjectWatches} of `workspaceDir`; `events` is called from the watches. */
export function createProjectWatches(workspaceDir: string, events: ProjectWatchEvents): ProjectWatches {
  const watched = new Map<string, { watcher: FSWatcher; path: string; ino: number }>();

  /** The folder to watch for a project: scripts/ralph, or until it exists the deepest folder on the way to it. */
  function watchTarget(slug: string): { path: string; ino: number } | undefined {
    const ralph = ralphDir(workspaceDir, slug);
    for (const path of [ralph, dirname(ralph), join(workspaceDir, slug)]) {
      const info = statSync(path, { throwIfNoEntry: false });
      if (info?.isDirectory()) return { path, ino: info.ino };
    }
    return undefined;
  }

  function unwatch(slug: string): void {
    watched.get(slug)?.watcher.close();
    watched.delete(slug);
  }

  const watches: ProjectWatches = {
    watch(slug) {
      const target = watchTarget(slug);
      if (!target) return;
      const existing = watched.get(slug);
      if (existing && existing.path === target.path && existing.ino === target.ino) return;
      unwatch(slug);
      try {
        const watcher = watch(target.path, { persistent: false }, () => events.changed(slug));
        watcher.on("error", () => {
          watched.delete(slug);
          events.lost(slug);
        });
        watched.set(slug, { watcher, path: target.path, ino: target.ino });
      } catch {
        // The folder vanished between listing and watching: the folder watcher reports that.
      }
    },

    has: (slug) => watched.has(slug),

    sync() {
      const changed = new Set<string>();
      const folders = new Set(workspaceFolders(workspaceDir));
      for (const slug of folders) {
        if (!watched.has(slug)) {
          watches.watch(slug);
          changed.add(slug);
        }
      }
      for (const slug of [...watched.keys()]) {
        if (!folders.has(slug)) {
          unwatch(slug);
          changed.add(slug);
        }
      }
      return changed;
    },

    close() {
      for (const slug of [...watched.keys()]) unwatch(slug);
    },
  };
  return watches;
}
