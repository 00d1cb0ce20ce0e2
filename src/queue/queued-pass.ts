import { approvedInOrder } from "../execute/approval-order.ts";
import { keepingAlive } from "../execute/keep-alive.ts";
import { notApprovedFailure } from "../execute/not-runnable.ts";
import { readProject } from "../execute/project-lookup.ts";
import type { RunReport } from "../execute/run-outcome.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import type { Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import type { Enqueuer } from "./enqueue-run.ts";
import { runEndReport } from "./run-end-report.ts";
import { isOpen, readQueueRun } from "./queue-run.ts";
import type { RunWaiters } from "./run-waiters.ts";

// One `planbot execute` pass with the queue: which projects, then queue each and wait for every end.

/**
 * Which projects a queued pass runs: just `slug` (a failure when it is unknown, or neither approved nor
 * already queued — an open queued run is reported by its job), or every approved project in approval order.
 */
export async function selectQueuedRuns(
  store: ProjectStore,
  slug: string | undefined,
): Promise<Result<{ candidates: ProjectEntry[] }>> {
  if (slug !== undefined) {
    const found = await readProject(store, slug);
    if (!found.ok) return found;
    const { entry } = found;
    if (!isOpen(readQueueRun(entry)) && (entry.status ?? "").toLowerCase() !== "approved")
      return notApprovedFailure(entry);
    return { ok: true, candidates: [entry] };
  }
  const read = await store.read();
  if (!read.ok) return read;
  return { ok: true, candidates: approvedInOrder(read.file.projects ?? []) };
}

/**
 * Queues every candidate and waits until each queued run ended. A project that cannot be queued is
 * reported skipped; an unreachable queue fails the whole pass (nothing after it would be queued either).
 */
export async function queueAndAwait(
  enqueuer: Enqueuer,
  waiters: RunWaiters,
  candidates: readonly ProjectEntry[],
): Promise<Result<{ runs: RunReport[] }>> {
  const runs: RunReport[] = [];
  const ends: Promise<RunReport>[] = [];
  for (const entry of candidates) {
    const queued = await enqueuer.enqueue(entry.name);
    if (!queued.ok) {
      if (queued.details?.reason === "queue_unavailable") return queued;
      runs.push({ slug: entry.name, outcome: "skipped", message: `skipped: ${queued.message}` });
      continue;
    }
    ends.push(waiters.awaitEnd(queued.jobId).then(runEndReport));
  }
  runs.push(...(await keepingAlive(Promise.all(ends))));
  return { ok: true, runs };
}
