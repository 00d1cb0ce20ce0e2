import type { Result } from "../projects/result.ts";
import { writeWorkspaceText } from "../projects/workspace-files.ts";
import type { PlanCheck } from "./preflight.ts";
import type { RunPlan } from "./run-plan.ts";

/**
 * Makes prd.json's branchName the project's branch (ralph.sh and its agent switch to branchName, so a
 * different one would put the work on another branch). Written in place without following links, before
 * the workspace is prepared, so the corrected file is what gets committed. Shared with the queue's worker.
 */
export async function correctBranchName(plan: RunPlan, check: PlanCheck): Promise<Result<{ notes: string[] }>> {
  if (!check.branchFix) return { ok: true, notes: [] };
  const text = `${JSON.stringify({ ...check.prd, branchName: check.branchFix.to }, null, 2)}\n`;
  const written = await writeWorkspaceText(plan.root, "scripts/ralph/prd.json", text);
  if (!written.ok) return written;
  return {
    ok: true,
    notes: [
      `set prd.json branchName to ${check.branchFix.to}${check.branchFix.from ? ` (was ${check.branchFix.from})` : ""}`,
    ],
  };
}
