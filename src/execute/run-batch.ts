import type { ProjectEntry } from "../projects/schemas.ts";
import type { ActiveRuns } from "./active-runs.ts";
import type { RunReport } from "./run-outcome.ts";

/**
 * Runs `entries` in their order, `parallel` at a time, each to its end (or detachment), and returns their
 * reports in the same order. Entries not yet begun when the executor closes are reported skipped.
 */
export async function runBatch(
  runs: ActiveRuns,
  entries: readonly ProjectEntry[],
  parallel: number,
  isClosed: () => boolean,
): Promise<RunReport[]> {
  const reports: RunReport[] = new Array(entries.length);
  let next = 0;
  const lane = async () => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index]!;
      if (isClosed()) {
        reports[index] = { slug: entry.name, outcome: "skipped", message: "skipped: the executor is stopping" };
        continue;
      }
      const started = await runs.start(entry.name);
      reports[index] = started.kind === "started" ? await started.run.done : started.report;
    }
  };
  const width = Math.max(1, Math.min(parallel, entries.length));
  await Promise.all(Array.from({ length: width }, lane));
  return reports;
}
