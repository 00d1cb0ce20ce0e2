import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, type Stats } from "node:fs";
import { lstat, mkdir, open, realpath, type FileHandle } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { fail, type Result } from "./result.ts";
import { operatorDetails } from "./operator-fix.ts";
import { makeFolders } from "./make-folders.ts";

/**
 * Files planbot writes or serves inside a project's workspace, opened so that nothing from the repository
 * decides where they are. A workspace is a clone: any contributor (or an earlier agent commit) can put a
 * symbolic link at `scripts/ralph/.ralph.pid`, `logs` or `final-plan.md`. Following it would let the
 * repository overwrite, fill or reveal any file planbot can reach. So every path below the workspace root is
 * checked component by component with `lstat` (a link anywhere is refused), the last component is opened
 * with O_NOFOLLOW, and the resolved folder must still lie under the workspace's real path.
 *
 * The workspace root itself may be a link (an admin may keep workspaces elsewhere): only what is below it
 * comes from the repository.
 */

/** Why a workspace path was refused: a link on the way, or a path leaving the workspace. */
export type WorkspacePathProblem =
  | { kind: "symlink"; path: string; target: string }
  | { kind: "outside"; path: string }
  | { kind: "not_file"; path: string };

/** `details.reason` of every refusal here (failure code `forbidden`): the problem's kind. */
export const UNSAFE_WORKSPACE_PATH = "unsafe_workspace_path";

/** One line naming the file, what is wrong and what to do. */
export function describeWorkspaceProblem(root: string, problem: WorkspacePathProblem): string {
  const shown = relative(root, problem.path) || problem.path;
  switch (problem.kind) {
    case "symlink":
      return `${shown} in the workspace ${root} is a symbolic link (to ${problem.target}); planbot does not write or read through links in a workspace. Remove the link from the repository's branch (git rm ${shown}) and from the workspace.`;
    case "outside":
      return `${shown} leaves the workspace ${root}; planbot only works on files inside it.`;
    case "not_file":
      return `${shown} in the workspace ${root} is not a regular file; move it away.`;
  }
}

function refusal(root: string, problem: WorkspacePathProblem) {
  return fail("forbidden", describeWorkspaceProblem(root, problem), {
    details: {
      path: problem.path,
      reason: UNSAFE_WORKSPACE_PATH,
      problem: problem.kind,
      ...(problem.kind === "outside" ? {} : operatorDetails("workspace_file")),
    },
  });
}

function relativeParts(root: string, rel: string): string[] | undefined {
  if (isAbsolute(rel)) {
    const inside = relative(root, rel);
    if (inside.startsWith("..") || isAbsolute(inside)) return undefined;
    rel = inside;
  }
  const parts = rel.split(/[\\/]+/).filter((part) => part !== "" && part !== ".");
  return parts.includes("..") ? undefined : parts;
}

function linkTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return "a missing file";
  }
}

/**
 * The first problem on the way from `root` to `rel` (a path relative to root, or an absolute one inside
 * it): a symbolic link at any component, or a path leaving the root. Components that do not exist yet are
 * fine. Synchronous, so callers can use it in checks that must not interleave with other work.
 */
export function workspacePathProblem(root: string, rel: string): WorkspacePathProblem | undefined {
  const parts = relativeParts(root, rel);
  if (!parts) return { kind: "outside", path: isAbsolute(rel) ? rel : join(root, rel) };
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    const stats = lstatOrMissing(current);
    if (!stats) return undefined;
    if (stats.isSymbolicLink()) return { kind: "symlink", path: current, target: linkTarget(current) };
  }
  return undefined;
}

/**
 * lstat, or undefined when nothing is there — also below a file (ENOTDIR): a workspace that is a file
 * rather than a folder holds no `scripts/ralph/prd.json`, and asking must not throw out of a command.
 */
function lstatOrMissing(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** Checks {@link workspacePathProblem} for each path; the first problem as a failure. */
export function checkWorkspacePaths(root: string, rels: readonly string[]): Result<object> {
  for (const rel of rels) {
    const problem = workspacePathProblem(root, rel);
    if (problem) return refusal(root, problem);
  }
  return { ok: true };
}

/** The parent folder of `path` resolved for real still lies under the workspace's real path. */
async function containedParent(root: string, path: string): Promise<boolean> {
  try {
    const [realRoot, realParent] = await Promise.all([realpath(root), realpath(join(path, ".."))]);
    return realParent === realRoot || realParent.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  } catch {
    return false;
  }
}

/**
 * Creates `rel` (and the folders above it) below `root`, refusing a link at any component — also one that
 * appears while it works. Returns the absolute path.
 */
export async function ensureWorkspaceDir(root: string, rel: string): Promise<Result<{ path: string }>> {
  const parts = relativeParts(root, rel);
  if (!parts) return refusal(root, { kind: "outside", path: join(root, rel) });
  await makeFolders(root);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    let stats = await lstat(current).catch(() => undefined);
    if (!stats) {
      await mkdir(current).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      });
      stats = await lstat(current);
    }
    if (stats.isSymbolicLink()) return refusal(root, { kind: "symlink", path: current, target: linkTarget(current) });
    if (!stats.isDirectory()) return refusal(root, { kind: "not_file", path: current });
  }
  return { ok: true, path: current };
}

/** How {@link openWorkspaceFile} opens: read, append (created if missing) or create-or-truncate for writing. */
export type WorkspaceOpenMode = "read" | "append" | "write" | "create-new";

const FLAGS: Record<WorkspaceOpenMode, number> = {
  read: constants.O_RDONLY,
  append: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
  write: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  "create-new": constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
};

/**
 * Opens a file below `root` without following links: every folder on the way is checked with lstat, the
 * file itself is opened with O_NOFOLLOW (a link there fails with ELOOP, reported as a refusal), the opened
 * file must be a regular file, and its folder must resolve under the workspace. A missing file in `read`
 * mode is `not_found`.
 */
export async function openWorkspaceFile(
  root: string,
  rel: string,
  mode: WorkspaceOpenMode,
): Promise<Result<{ handle: FileHandle; path: string }>> {
  const parts = relativeParts(root, rel);
  if (!parts || parts.length === 0) return refusal(root, { kind: "outside", path: join(root, rel) });
  const path = join(root, ...parts);
  const problem = workspacePathProblem(root, parts.slice(0, -1).join("/"));
  if (problem) return refusal(root, problem);
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS[mode] | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP" || code === "EMLINK")
      return refusal(root, { kind: "symlink", path, target: linkTarget(path) });
    if (code === "ENOENT")
      return fail("not_found", `${relative(root, path)} does not exist in the workspace ${root}.`, {
        details: { path },
      });
    return fail("execute_failed", `Cannot open ${path}: ${(error as Error).message}`, { details: { path } });
  }
  const ok = (await handle.stat()).isFile() && (await containedParent(root, path));
  if (!ok) {
    await handle.close();
    return refusal(
      root,
      (await handle.stat().catch(() => undefined))?.isFile() === false
        ? { kind: "not_file", path }
        : { kind: "outside", path },
    );
  }
  return { ok: true, handle, path };
}

/** Reads a text file below `root` without following links (at most `maxBytes`, default 4 MiB). */
export async function readWorkspaceText(
  root: string,
  rel: string,
  maxBytes = 4 * 1024 * 1024,
): Promise<Result<{ text: string; path: string }>> {
  const opened = await openWorkspaceFile(root, rel, "read");
  if (!opened.ok) return opened;
  try {
    const { size } = await opened.handle.stat();
    const buffer = Buffer.alloc(Math.min(size, maxBytes));
    const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, 0);
    return { ok: true, text: buffer.subarray(0, bytesRead).toString("utf8"), path: opened.path };
  } finally {
    await opened.handle.close();
  }
}

/** Writes (`write`: replaces the content, `append`: adds to it) a text file below `root` without following links. */
export async function writeWorkspaceText(
  root: string,
  rel: string,
  text: string,
  mode: "write" | "append" = "write",
): Promise<Result<{ path: string }>> {
  const opened = await openWorkspaceFile(root, rel, mode);
  if (!opened.ok) return opened;
  try {
    await opened.handle.writeFile(text, "utf8");
    return { ok: true, path: opened.path };
  } finally {
    await opened.handle.close();
  }
}

/**
 * Synchronous read of a text file below `root` without following links (at most `maxBytes`): the folders on
 * the way are checked with lstat and the file is opened with O_NOFOLLOW. undefined when it is missing, a
 * link, not a regular file or unreadable — for lenient readers (the project list, status derivation) that
 * treat an unsafe file like an absent one.
 */
export function readWorkspaceTextSync(root: string, path: string, maxBytes = 4 * 1024 * 1024): string | undefined {
  const parts = relativeParts(root, path);
  if (!parts || parts.length === 0) return undefined;
  if (workspacePathProblem(root, parts.slice(0, -1).join("/"))) return undefined;
  let fd: number;
  try {
    fd = openSync(join(root, ...parts), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes));
    const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
