import { deliverySplitFields, readDeliverySplit } from "../deliver/delivery-split.ts";
import { noteErrorFix } from "../projects/error-fix.ts";
import { fail } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { isOpen, type QueueRun, readQueueRun, type RunRecordDeps, setQueueRun } from "./queue-run.ts";
import { writeRemotePrd } from "./remote-prd.ts";
import type { RunJobResult } from "./run-job.ts";
import { remoteFixDetails } from "./run-job.ts";
import { applyRefusal } from "./run-refusal.ts";

/**
 * Records how the job's run ended, once: only while the entry still holds this job as an open run.
 * Resolves true when this call recorded it.
 */
export async function recordFinished(
  deps: RunRecordDeps,
  slug: string,
  jobId: string,
  result: RunJobResult,
  at: string,
): Promise<boolean> {
  const before = await deps.lifecycle.update(slug, (entry) =>
    isOpen(readQueueRun(entry)) && readQueueRun(entry)!.job_id === jobId ? undefined : fail("stale", "not this run"),
  );
  if (!before.ok) return false;
  // The final prd.json first, so the status derived right after the entry changes reads the final stories.
  await writeRemotePrd(deps.workspaceDir, slug, result.prd).catch(() => undefined);
  let recorded = false;
  const stored = await deps.lifecycle.update(slug, (entry) => {
    const run = readQueueRun(entry);
    if (run?.job_id !== jobId || !isOpen(run)) return fail("stale", "already recorded");
    recorded = true;
    return applyRunEnd(entry, run, result, at);
  });
  return stored.ok && recorded;
}

/** Closes the entry's open `run` with `result` and sets the project's status from it (under the store's lock). */
function applyRunEnd(entry: ProjectEntry, run: QueueRun, result: RunJobResult, at: string): void {
  const wasRunning = run.state === "running";
  setQueueRun(entry, {
    ...run,
    state: result.outcome,
    worker: result.worker || run.worker,
    finished_at: at,
    outcome: result.outcome,
    error: result.error,
    ...(result.commits ? { commits: result.commits } : {}),
  });
  if (result.outcome === "refused") {
    applyRefusal(entry, wasRunning, result, at, run.asked === true);
    return;
  }
  // Stopped while the project still shows running (a stop asked before the status changed, as a
  // local run's stop is recorded): the project failed, saying why. Cancelled first: it stays cancelled.
  if (result.outcome === "cancelled" && (!wasRunning || (entry.status ?? "").toLowerCase() !== "running")) return;
  if (result.outcome === "cancelled") {
    entry.status = "failed";
    entry.error = result.error ?? "stopped: cancelled";
    entry.pid = null;
    entry.finished_at = at;
    return;
  }
  if (!wasRunning && (entry.status ?? "").toLowerCase() !== "approved") return;
  entry.status = result.outcome;
  entry.error = result.error;
  noteErrorFix(entry, result.error ?? "", { details: remoteFixDetails(result) });
  entry.pid = null;
  entry.finished_at = at;
  if (result.delivery)
    entry.delivery = {
      at,
      ok: result.delivery.ok,
      pushed: result.delivery.pushed,
      branch: result.branch ?? entry.branch ?? "",
      summary: result.delivery.summary,
      hint: result.delivery.hint,
      ...(result.delivery.hintOperator ? { hint_operator: true } : {}),
      // A worker of another planbot version may send a split this one cannot word: only a known one is kept.
      ...deliverySplitFields(readDeliverySplit(result.delivery.split)),
      // The run's commits stay on this worker's disk: what it did not push, planbot cannot deliver again.
      worker: result.worker,
    };
  if (result.delivery?.pullRequest) entry.pull_request = { ...result.delivery.pullRequest, updated_at: at };
}
