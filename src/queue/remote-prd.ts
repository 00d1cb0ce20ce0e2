import { relative } from "node:path";
import { writeFileAtomically } from "../projects/atomic-write.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { ensureWorkspaceDir } from "../projects/workspace-files.ts";

/**
 * Writes a worker's prd.json into this machine's workspace of the project, so status and the dashboard
 * see the stories of a remote run. The bot's workspace may hold a clone from planning: a link the
 * repository put at scripts/ or scripts/ralph/ must not decide where it is written (it is then skipped).
 */
export async function writeRemotePrd(workspaceDir: string, slug: string, prd: string | null): Promise<void> {
  if (prd === null) return;
  const paths = workspacePaths(workspaceDir, slug);
  const folder = await ensureWorkspaceDir(paths.root, relative(paths.root, paths.ralph));
  if (!folder.ok) return;
  await writeFileAtomically(paths.prd, prd);
}
