/** Makes sure bin/planbot runs the compiled dist/ in a bench: rebuilds it when it is older than src/. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { distIsCurrent } from "../scripts/build-freshness.mjs";

/** Rebuilds dist/ when stale; returns whether it had to (a bench prints that as a line of its own). */
export function ensureDistBuilt(repoRoot: string): boolean {
  if (distIsCurrent(repoRoot)) return false;
  const built = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr}${built.stdout}`);
  return true;
}
