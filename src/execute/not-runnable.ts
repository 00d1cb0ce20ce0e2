import { fail, type Failure } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";

/** The way forward from a project that cannot run now, for the surface to word (`details.next`). */
export type RunBlocker = "approve" | "replan" | "done";

/**
 * Why a project that is not approved cannot run, worded for what it is (a cancelled project, a complete one,
 * one still being planned), with the way forward as data: chats word `details.next` as a command and a
 * button, the CLI as `planbot projects …`. `/run` on a failed or blocked project never gets here: it is
 * approved again first (a retry).
 */
export function notApprovedFailure(entry: Pick<ProjectEntry, "name" | "status">): Failure {
  const status = (entry.status ?? "").toLowerCase();
  const details = (next: RunBlocker) => ({ details: { reason: "not_approved", slug: entry.name, status, next } });
  switch (status) {
    case "complete":
      return fail("invalid_state", `"${entry.name}" is complete: every story passes on its branch.`, details("replan"));
    case "planning":
      return fail("invalid_state", `"${entry.name}" is still being planned.`, details("done"));
    case "cancelled":
      // As its card says: a cancelled project comes back by planning it again, not by approving the old plan.
      return fail("invalid_state", `"${entry.name}" is cancelled.`, details("replan"));
    case "pending":
      return fail("invalid_state", `"${entry.name}" is not approved yet.`, details("approve"));
    default:
      return fail(
        "invalid_state",
        `"${entry.name}" is ${status || "without a status"}, not approved.`,
        details("approve"),
      );
  }
}
