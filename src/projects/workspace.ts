import { join } from "node:path";

/** Where a project's Ralph files live inside its workspace. */
export function ralphDir(workspaceDir: string, slug: string): string {
  return join(workspaceDir, slug, "scripts", "ralph");
}

/** Paths of one project's workspace files (docs/architecture.md, "Files"). */
export function workspacePaths(workspaceDir: string, slug: string) {
  const ralph = ralphDir(workspaceDir, slug);
  return {
    root: join(workspaceDir, slug),
    ralph,
    prd: join(ralph, "prd.json"),
    finalPlan: join(ralph, "final-plan.md"),
    logs: join(ralph, "logs"),
    pidFile: join(ralph, ".ralph.pid"),
  };
}
