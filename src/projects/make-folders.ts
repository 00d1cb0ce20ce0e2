import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * `mkdir -p` that always ends. Node 20's recursive mkdir never returns where a folder cannot be made
 * although its parent exists — under /proc or /sys mkdir answers ENOENT, and Node then makes the parent
 * (which exists) and tries again, forever: `PLANBOT_DATA_DIR=/proc/x` hung planbot at 100% CPU, deaf to
 * SIGTERM. Here the missing levels are found once, from the folder up to the nearest existing ancestor,
 * and made once each, top down; a level the file system will not make is an error naming it.
 */
export function makeFoldersSync(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const found = statBelowFile(at);
    if (found) {
      if (!found.isDirectory()) throw notAFolder(at);
      break;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw refused(folder, error);
    }
  }
}

/**
 * {@link makeFoldersSync} for async callers. Synchronous underneath on purpose: a stat per level and a
 * mkdir per missing one take microseconds, and one implementation keeps the loop's bound in one place.
 */
export async function makeFolders(path: string, mode?: number): Promise<void> {
  makeFoldersSync(path, mode);
}

/**
 * The file that stands where a folder on the way to `path` should be (`/etc/passwd` for
 * `/etc/passwd/data/x.json`), or undefined when the nearest existing level is a folder: an ENOTDIR from
 * opening `path` is then explained by naming it.
 */
export function fileInTheWay(path: string): string | undefined {
  for (let at = dirname(resolve(path)); ; at = dirname(at)) {
    const found = statBelowFile(at);
    if (found) return found.isDirectory() ? undefined : at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * What is at `path`; undefined when nothing is, also when a level above it is a file (ENOTDIR, which
 * `throwIfNoEntry: false` still throws): the walk up then reaches that file and names it.
 */
function statBelowFile(path: string) {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw error;
  }
}

function notAFolder(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: ${path} is a file, not a folder`), { code: "ENOTDIR", path });
}

/** The file system's refusal, with its code kept, in words that name the folder. */
function refused(folder: string, error: unknown): NodeJS.ErrnoException {
  const cause = error as NodeJS.ErrnoException;
  return Object.assign(new Error(`cannot create the folder ${folder} (${cause.code ?? cause.message})`), {
    code: cause.code,
    path: folder,
  });
}
