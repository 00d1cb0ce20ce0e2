import type { ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import type { Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { alreadyRunning } from "./active-runs.ts";
import { approvedInOrder } from "./approval-order.ts";
import { notApprovedFailure } from "./not-runnable.ts";
import { readProject } from "./project-lookup.ts";
import type { RunReport } from "./run-outcome.ts";

/** What one executor pass does: the projects to run, in order, and the reports of those it passes over. */
export interface RunSelection {
  candidates: ProjectEntry[];
  skipped: RunReport[];
}

/**
 * Which projects a local pass runs: just `slug` (a failure when it is unknown or not approved), or every
 * approved project in approval order. A project whose Ralph is alive is reported skipped, not run twice.
 */
export async function selectLocalRuns(
  store: ProjectStore,
  probe: ProcessProbe,
  slug: string | undefined,
): Promise<Result<RunSelection>> {
  if (slug !== undefined) {
    const found = await readProject(store, slug);
    if (!found.ok) return found;
    const { entry } = found;
    if (probe.inspect(entry.pid ?? null).alive)
      return { ok: true, candidates: [], skipped: [alreadyRunning(entry.name, entry.pid!)] };
    if ((entry.status ?? "").toLowerCase() !== "approved") return notApprovedFailure(entry);
    return { ok: true, candidates: [entry], skipped: [] };
  }
  const read = await store.read();
  if (!read.ok) return read;
  const selection: RunSelection = { candidates: [], skipped: [] };
  for (const entry of approvedInOrder(read.file.projects ?? [])) {
    if (probe.inspect(entry.pid ?? null).alive) selection.skipped.push(alreadyRunning(entry.name, entry.pid!));
    else selection.candidates.push(entry);
  }
  return { ok: true, ...selection };
}
