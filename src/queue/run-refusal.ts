import { repeatsStoredRefusal } from "../projects/run-refusal-field.ts";
import type { ProjectEntry, RunRefusalField } from "../projects/schemas.ts";
import type { RunJobResult } from "./run-job.ts";

/**
 * Records a run a worker's preflight refused, as the local executor treats a refusal: nothing ran, so the
 * project stays approved (a run recorded running — a retry after a lost worker — goes back to approved) and
 * nothing of a finished run is stored; `run_refusal` keeps the reason and the fix, which the notifier
 * announces once to the project's chats. A project cancelled or unapproved meanwhile is left as it is.
 * A scheduled run refused again for the same reason keeps the first refusal (its chats heard it already,
 * and would every day otherwise); a run someone asked for (`/run`, whose reply only said "queued") is
 * announced again.
 */
export function applyRefusal(
  entry: ProjectEntry,
  wasRunning: boolean,
  result: RunJobResult,
  at: string,
  asked: boolean,
): void {
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
    ...(typeof result.repoPath === "string" ? { repo_path: result.repoPath } : {}),
    ...(typeof result.path === "string" ? { path: result.path } : {}),
  };
  if (!asked && repeatsStoredRefusal(entry, refusal)) return;
  (entry as Record<string, unknown>).run_refusal = refusal;
}
