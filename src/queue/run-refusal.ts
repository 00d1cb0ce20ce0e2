import type { ProjectEntry } from "../projects/schemas.ts";
import type { RunRefusalField } from "../projects/schemas.ts";
import type { RunJobResult } from "./run-job.ts";

/**
 * Records a run a worker's preflight refused, as the local executor treats a refusal: nothing ran, so the
 * project stays approved (a run recorded running — a retry after a lost worker — goes back to approved) and
 * nothing of a finished run is stored; `run_refusal` keeps the reason and the fix, which the notifier
 * announces once to the project's chats. A project cancelled or unapproved meanwhile is left as it is.
 */
export function applyRefusal(entry: ProjectEntry, wasRunning: boolean, result: RunJobResult, at: string): void {
  const own = (entry.status ?? "").toLowerCase();
  if (wasRunning && own === "running") {
    entry.status = "approved";
    entry.pid = null;
    entry.started_at = null;
  } else if (own !== "approved") return;
  const refusal: RunRefusalField = {
    at,
    message: result.error ?? result.summary,
    worker: result.worker || null,
    check: result.check ?? null,
  };
  (entry as Record<string, unknown>).run_refusal = refusal;
}
