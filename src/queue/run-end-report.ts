import type { RunReport } from "../execute/run-outcome.ts";
import { fail } from "../projects/result.ts";
import type { RunEnd } from "./run-event-steps.ts";
import { remoteFixDetails } from "./run-job.ts";

/** A remote run's end as the same {@link RunReport} a local run gives (a cancelled job reads as skipped). */
export function runEndReport(end: RunEnd): RunReport {
  const { result } = end;
  const outcome = result.outcome === "cancelled" ? "skipped" : result.outcome;
  const delivered = result.delivery ? `; ${result.delivery.summary}` : "";
  return {
    slug: end.slug,
    outcome,
    message: `${result.summary}; worker ${result.worker || "unknown"}${result.branch ? `; branch ${result.branch}` : ""}${delivered}`,
    ...(result.error ? { error: result.error } : {}),
    // As a local run's report: the way forward for each surface to word (`planbot execute` names the edit).
    ...((result.fix || result.operator) && result.error
      ? { failure: fail("execute_failed", result.error, { details: { slug: end.slug, ...remoteFixDetails(result) } }) }
      : {}),
    exitCode: result.exitCode,
  };
}
