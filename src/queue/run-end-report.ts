import type { RunReport } from "../execute/run-outcome.ts";
import type { RunEnd } from "./run-event-steps.ts";

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
    exitCode: result.exitCode,
  };
}
