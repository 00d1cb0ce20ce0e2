import { constants, statSync } from "node:fs";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import type { DoctorCheck } from "./doctor-check.ts";

/**
 * Whether planbot can write in `path`: an existing folder must be writable; a missing one must be
 * creatable, i.e. its nearest existing parent writable (planbot creates it on first use).
 */
export async function folderCheck(name: string, path: string): Promise<DoctorCheck> {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats) {
    if (!stats.isDirectory()) return { level: "fail", name, detail: `${path} exists but is not a folder` };
    try {
      await access(path, constants.W_OK | constants.X_OK);
      return { level: "ok", name, detail: `${path} (writable)` };
    } catch {
      return { level: "fail", name, detail: `${path} is not writable by this user` };
    }
  }
  let parent = dirname(path);
  while (!statSync(parent, { throwIfNoEntry: false }) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    await access(parent, constants.W_OK | constants.X_OK);
    return { level: "ok", name, detail: `${path} does not exist yet; it is created on first use` };
  } catch {
    return { level: "fail", name, detail: `${path} does not exist and cannot be created (${parent} is not writable)` };
  }
}
