import { fail, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { liveForeignClaim, setClaim, type ExecutorClaim } from "./claim.ts";
import { notApprovedFailure } from "./not-runnable.ts";
import type { RunContext } from "./run-outcome.ts";

/**
 * Claims `slug` for a run in one locked store step (see claim.ts), before its workspace is touched: only
 * an approved project whose Ralph is not alive and that no other live planbot is preparing. The failure
 * says why not, with `details.reason` (`running`, `claimed`, `not_approved`) for the caller.
 */
export async function claimForRun(
  ctx: Pick<RunContext, "lifecycle" | "probe">,
  slug: string,
  claim: ExecutorClaim,
): Promise<Result<{ entry: ProjectEntry }>> {
  return ctx.lifecycle.update(slug, (entry) => {
    const info = ctx.probe.inspect(entry.pid ?? null);
    if (info.alive)
      return fail("invalid_state", `"${entry.name}" is already running (PID ${entry.pid}).`, {
        details: { slug: entry.name, reason: "running", next: "status" },
      });
    if ((entry.status ?? "").toLowerCase() !== "approved") return notApprovedFailure(entry);
    const other = liveForeignClaim(entry, ctx.probe, claim);
    if (other)
      return fail(
        "invalid_state",
        `"${entry.name}" is being prepared for a run by planbot PID ${other.pid} since ${other.since}.`,
        { details: { reason: "claimed" } },
      );
    setClaim(entry, claim);
  });
}
