import { constants } from "node:fs";
import { open, readdir, realpath } from "node:fs/promises";
import { join, relative, sep, isAbsolute } from "node:path";

/**
 * Reading files of a project's workspace for the dashboard without ever leaving it: the workspace is
 * a git checkout Ralph and the planner write into, so `final-plan.md` or a log can be a symlink to
 * `/etc/passwd` or to another project. Every read resolves the real path, insists it stays under the
 * slug's real workspace folder, then opens with O_NOFOLLOW and checks the descriptor is a regular file.
 */

/** Why a workspace file could not be read: absent (404), or present but refused (a symlink out, not a file). */
export type WorkspaceRead =
  | { ok: true; text: string; size: number; mtimeMs: number }
  | { ok: false; code: "not_found" | "refused"; message: string };

/** Bytes read from the end of a file at most (a log tail); whole small files are read entirely. */
export const MAX_READ_BYTES = 512 * 1024;

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Reads `parts` (path segments under the project's workspace) as UTF-8; at most the last
 * `maxBytes` bytes, so a huge log costs a bounded read.
 */
export async function readWorkspaceFile(
  workspaceDir: string,
  slug: string,
  parts: string[],
  maxBytes = MAX_READ_BYTES,
): Promise<WorkspaceRead> {
  const wanted = join(workspaceDir, slug, ...parts);
  let root: string;
  let real: string;
  try {
    const base = await realpath(workspaceDir);
    root = await realpath(join(workspaceDir, slug));
    if (!inside(base, root) || root === base)
      return { ok: false, code: "refused", message: `the workspace of ${slug} leads out of PLANBOT_WORKSPACE_DIR` };
    real = await realpath(wanted);
  } catch {
    return { ok: false, code: "not_found", message: `${parts.join("/")} does not exist in the workspace of ${slug}` };
  }
  if (!inside(root, real))
    return {
      ok: false,
      code: "refused",
      message: `${parts.join("/")} is a link out of the workspace of ${slug}; planbot does not follow it`,
    };
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return { ok: false, code: "refused", message: `${parts.join("/")} could not be opened without following a link` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, code: "refused", message: `${parts.join("/")} is not a regular file` };
    const length = Math.min(stats.size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, stats.size - length);
    return { ok: true, text: buffer.toString("utf8"), size: stats.size, mtimeMs: stats.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** One file of a workspace folder (the run logs). */
export interface FolderEntry {
  name: string;
  size: number;
  mtimeMs: number;
}

/** Regular files of a workspace folder whose names match `pattern`, newest name first; [] when the folder is missing or leads out. */
export async function listWorkspaceFolder(
  workspaceDir: string,
  slug: string,
  parts: string[],
  pattern: RegExp,
): Promise<FolderEntry[]> {
  let root: string;
  let folder: string;
  try {
    root = await realpath(join(workspaceDir, slug));
    folder = await realpath(join(workspaceDir, slug, ...parts));
  } catch {
    return [];
  }
  if (!inside(root, folder)) return [];
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const found: FolderEntry[] = [];
  for (const entry of entries) {
    // isFile() of a Dirent is the link itself: a symlinked log is skipped, not followed.
    if (!entry.isFile() || !pattern.test(entry.name)) continue;
    const handle = await open(join(folder, entry.name), constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      () => undefined,
    );
    if (!handle) continue;
    try {
      const stats = await handle.stat();
      found.push({ name: entry.name, size: stats.size, mtimeMs: stats.mtimeMs });
    } finally {
      await handle.close();
    }
  }
  return found.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** The last `lines` lines of a text (a partial first line from a tail read is dropped when more came after it). */
export function lastLines(text: string, lines: number, truncated: boolean): string {
  let all = text.split("\n");
  if (truncated && all.length > 1) all = all.slice(1);
  if (all.at(-1) === "") all.pop();
  return all.slice(-lines).join("\n");
}
