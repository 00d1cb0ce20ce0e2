/**
 * The folders of a notify test: a fresh temp root, planbot's data dir in it, the workspace folder under
 * that (where the config puts it by default), and the real project store of the data dir.
 */
import { join } from "node:path";
import { storeOf } from "./notify-fixtures.ts";
import type { TempDirs } from "./temp-dir.ts";

/** Makes the temp root (`prefix`) and names the folders in it; creates nothing else. */
export async function notifyDirs(temp: TempDirs, prefix: string) {
  const root = await temp.make(prefix);
  const dataDir = join(root, "data");
  return { root, dataDir, workspaceDir: join(dataDir, "workspace"), store: storeOf(dataDir) };
}
