import { constants, type Stats, statSync } from "node:fs";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import type { DoctorCheck } from "./doctor-check.ts";

/**
 * What is at `path`, or undefined when nothing can be: missing, or a path through a file
 * (`/etc/passwd/data` is ENOTDIR, which `throwIfNoEntry: false` still throws). A doctor check reports
 * such a path as a line; it must never end `planbot doctor` with a stack trace.
 */
export function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw error;
  }
}

/**
 * Whether planbot can write in `path`: an existing folder must be writable; a missing one must be
 * creatable, i.e. its nearest existing parent a writable folder (planbot creates it on first use).
 * `variable` is the setting that names the folder, for the advice when a file stands in its way.
 */
export async function folderCheck(name: string, path: string, variable: string): Promise<DoctorCheck> {
  const stats = statIfThere(path);
  if (stats) {
    if (!stats.isDirectory())
      return { level: "fail", name, detail: `${path} exists but is not a folder: set ${variable} to a folder` };
    try {
      await access(path, constants.W_OK | constants.X_OK);
      return { level: "ok", name, detail: `${path} (writable)` };
    } catch {
      return { level: "fail", name, detail: `${path} is not writable by this user` };
    }
  }
  let parent = dirname(path);
  while (!statIfThere(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statIfThere(parent)?.isDirectory())
    return {
      level: "fail",
      name,
      detail: `${path} cannot be created: ${parent} is a file, not a folder; set ${variable} to a folder`,
    };
  try {
    await access(parent, constants.W_OK | constants.X_OK);
    return { level: "ok", name, detail: `${path} does not exist yet; it is created on first use` };
  } catch {
    return { level: "fail", name, detail: `${path} does not exist and cannot be created (${parent} is not writable)` };
  }
}
