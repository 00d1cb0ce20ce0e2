import type { RunReport } from "../execute/run-outcome.ts";
import { describePlan, planRun, type ExecutorConfig } from "../execute/run-plan.ts";
import type { ProjectEntry } from "../projects/schemas.ts";

/**
 * `planbot execute --dry-run` with the queue: what would be queued on `where`, planned as a worker would
 * (the paths are on the worker's disk), or why planning it fails. Nothing is queued or touched.
 */
export function queueDryRun(entry: ProjectEntry, config: ExecutorConfig, where: string): RunReport {
  const planned = planRun(entry, config);
  if (!planned.ok)
    return { slug: entry.name, outcome: "failed", message: `would fail: ${planned.message}`, error: planned.message };
  return {
    slug: entry.name,
    outcome: "dry-run",
    message: `would queue on ${where} for a worker: ${describePlan(planned.plan)} (on the worker's disk)`,
    plan: planned.plan,
  };
}
