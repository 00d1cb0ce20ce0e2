import type { RunReport } from "../execute/run-outcome.ts";
import type { Logger } from "../log.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import type { Result } from "../projects/result.ts";
import { endedRunResult, type RunLookup } from "./queued-run-state.ts";
import type { RunEventConsumer } from "./run-events.ts";
import { runEndReport } from "./run-end-report.ts";
import type { RunJobResult } from "./run-job.ts";
import { isOpen, readQueueRun } from "./queue-run.ts";

/** What {@link reconcileQueuedRuns} reads and records through. */
export interface QueueReconcileDeps {
  store: ProjectStore;
  lookup: RunLookup;
  events: RunEventConsumer;
  log: Logger;
}

/**
 * Records runs whose job ended while no planbot listened, and cancels jobs of withdrawn projects: every
 * open queued run in the store is looked up in Redis. A run Redis does not answer for is left for later.
 */
export async function reconcileQueuedRuns(deps: QueueReconcileDeps): Promise<Result<{ recorded: RunReport[] }>> {
  const read = await deps.store.read();
  if (!read.ok) return read;
  const recorded: RunReport[] = [];
  for (const entry of read.file.projects ?? []) {
    const run = readQueueRun(entry);
    if (!isOpen(run)) continue;
    let result: RunJobResult | undefined;
    try {
      result = await endedRunResult(deps.lookup, entry, run);
    } catch (error) {
      deps.log.warn({ slug: entry.name, err: error }, "could not look up a queued run");
      continue;
    }
    if (!result) continue;
    const end = await deps.events.finish(run.job_id, result);
    if (end.recorded) recorded.push(runEndReport(end));
  }
  return { ok: true, recorded };
}
