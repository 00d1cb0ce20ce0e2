import type { Lifecycle } from "../projects/lifecycle.ts";
import { fail, type Result } from "../projects/result.ts";

/**
 * Approves a planned project only if it is still being planned by this planning run: a /stop, a
 * dashboard cancel or an admin /cancel that got in first (status no longer `planning`, or another run
 * linked) wins, and a racing /done approves nothing.
 */
export async function approvePlanned(
  lifecycle: Lifecycle,
  slug: string,
  planningSessionId: string,
  finalPlanPath: string,
  now: () => string,
): Promise<Result<object>> {
  const approved = await lifecycle.update(slug, (entry) => {
    if (
      (entry.status ?? "").toLowerCase() !== "planning" ||
      (entry.planning_session_id && entry.planning_session_id !== planningSessionId)
    ) {
      return fail(
        "invalid_state",
        `Planning of ${entry.name} was stopped or replaced (it is ${entry.status ?? "pending"} now); nothing was approved.`,
        { details: { reason: "aborted" } },
      );
    }
    entry.status = "approved";
    entry.approved_at = now();
    entry.planning_session_id = null;
    entry.final_plan_path = finalPlanPath;
    entry.error = null;
    return { ok: true };
  });
  return approved.ok ? { ok: true } : approved;
}
