import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LoosePrdSchema, type LoosePrd } from "./schemas.ts";
import { readWorkspaceTextSync } from "./workspace-files.ts";

/**
 * What the project list reads from the workspace folder and from each project's workspace, leniently (echo-core's
 * dashboard read them the same way): the project folders, a workspace's `prd.json`, and its newest iteration log.
 */

/** Project folders of the workspace: directories not starting with a dot (echo-core's rule). */
export function workspaceFolders(workspaceDir: string): string[] {
  try {
    return readdirSync(workspaceDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Reads a workspace's `scripts/ralph/prd.json` leniently: an unreadable one counts as absent, like echo-core's
 * dashboard. A symbolic link at the file or on the way below the workspace root counts as absent too: the
 * repository must not make planbot read another file (the root is three folders up, see workspacePaths).
 */
export function readPrd(path: string): LoosePrd | null {
  const text = readWorkspaceTextSync(join(path, "..", "..", ".."), path);
  if (text === undefined) return null;
  try {
    const parsed = LoosePrdSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The newest `iteration-*.log` in `logsDir` (a link counts as none): when Ralph last started an iteration, and its path. */
export function lastIterationTime(logsDir: string): { at: string | null; path: string | null } {
  let newest = 0;
  let path: string | null = null;
  try {
    for (const name of readdirSync(logsDir)) {
      if (!/^iteration-.*\.log$/.test(name)) continue;
      const stats = lstatSync(`${logsDir}/${name}`, { throwIfNoEntry: false });
      const mtime = stats?.isFile() ? stats.mtimeMs : 0;
      if (mtime > newest) {
        newest = mtime;
        path = `${logsDir}/${name}`;
      }
    }
  } catch {
    return { at: null, path: null };
  }
  return { at: newest ? new Date(newest).toISOString() : null, path };
}
