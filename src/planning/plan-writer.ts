import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { workspacePaths } from "../projects/workspace.ts";
import type { Prd } from "../projects/schemas.ts";
import { ensureWorkspaceDir } from "../projects/workspace-files.ts";

/**
 * Writes `scripts/ralph/final-plan.md` and `scripts/ralph/prd.json`. Both are written to temp files and
 * fsynced first, then renamed into place, so a crash leaves either the old pair or the new files, never
 * a half-written one (Ralph and the watcher read prd.json at any moment). A rename replaces a link the
 * repository put there instead of following it; a linked `scripts/` or `scripts/ralph/` is refused.
 * `branch` (the project's branch) becomes prd.json's `branchName`: Ralph's agent checks that branch out.
 */
export async function writePlanArtifacts(
  workspaceDir: string,
  slug: string,
  plan: string,
  prd: Prd,
  branch?: string,
): Promise<{ planPath: string; prdPath: string }> {
  const paths = workspacePaths(workspaceDir, slug);
  if (branch) prd = { ...prd, branchName: branch };
  const safe = await ensureWorkspaceDir(paths.root, "scripts/ralph");
  if (!safe.ok) throw new Error(safe.message);
  const planTemp = await writeTemp(paths.finalPlan, plan.endsWith("\n") ? plan : `${plan}\n`);
  const prdTemp = await writeTemp(paths.prd, `${JSON.stringify(prd, null, 2)}\n`);
  await rename(planTemp, paths.finalPlan);
  await rename(prdTemp, paths.prd);
  const folder = await open(paths.ralph, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return { planPath: paths.finalPlan, prdPath: paths.prd };
}

async function writeTemp(target: string, text: string): Promise<string> {
  const temp = `${dirname(target)}/.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "w", 0o644);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}
