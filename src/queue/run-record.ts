import { createHash } from "node:crypto";
import { relative } from "node:path";
import { notApprovedFailure } from "../execute/not-runnable.ts";
import { ensureWorkspaceDir } from "../projects/workspace-files.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { writeFileAtomically } from "../projects/atomic-write.ts";
import { fail, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { workspacePaths } from "../projects/workspace.ts";
import type { RemoteRunTimes } from "./remote-progress.ts";
import { applyRefusal } from "./run-refusal.ts";
import type { RunJobProgress, RunJobResult } from "./run-job.ts";

/** The entry field where the bot records a queued run (unknown to other tools; survives their rewrites). */
export const QUEUE_RUN_FIELD = "queue_run";

/** A run on the queue as recorded on its entry. `state` queued/running means the run is still open. */
export interface QueueRun {
  job_id: string;
  state: "queued" | "running" | "complete" | "blocked" | "failed" | "cancelled" | "refused";
  worker: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: string | null;
  error: string | null;
  /** The run's commits on its worker, when it ended: count and newest subjects (for the run report). */
  commits?: { count: number; subjects: string[] } | null;
  progress?:
    | {
        stories_done: number;
        stories_total: number;
        iteration: number;
        commits: number;
        log_tail: string;
        current_story?: { id: string; title: string } | null;
        max_iterations?: number | null;
        last_commit?: string | null;
        /** When a sample last brought new activity, on the bot's clock (the stall notice counts from it). */
        last_activity_at?: string | null;
        /** A digest of what that sample showed (see activityAt): a sample that shows the same is no activity. */
        activity_key?: string | null;
        /** The worker's own `lastActivityAt` (its clock, which may be off): for information only. */
        worker_activity_at?: string | null;
        /** The worker's start time of this attempt: the run's id in progress messages. */
        run_id?: string | null;
      }
    | undefined;
}

/** The entry's queue run, if it has one. */
export function readQueueRun(entry: ProjectEntry | undefined): QueueRun | undefined {
  const value = (entry as Record<string, unknown> | undefined)?.[QUEUE_RUN_FIELD];
  if (!value || typeof value !== "object") return undefined;
  const run = value as QueueRun;
  return typeof run.job_id === "string" && typeof run.state === "string" ? run : undefined;
}

/** True while the run waits for a worker or runs on one. */
export function isOpen(run: QueueRun | undefined): run is QueueRun {
  return run?.state === "queued" || run?.state === "running";
}

function setQueueRun(entry: ProjectEntry, run: QueueRun): void {
  (entry as Record<string, unknown>)[QUEUE_RUN_FIELD] = run;
}

/**
 * Everything the bot writes about queued runs, always through the store's locked mutation and always
 * conditioned on the entry still holding this job: two planbot processes consuming the same events
 * (`planbot start` and `planbot execute`) record each step once, and so notify once.
 */
export interface RunRecorder {
  /** Marks an approved project as queued under `jobId`; fails when it already has an open run. */
  queued(
    slug: string,
    jobId: string,
    at: string,
    isRunningLocally: (entry: ProjectEntry) => boolean,
  ): Promise<Result<{ entry: ProjectEntry }>>;
  /** Takes back a queued mark whose job never reached Redis. */
  unqueued(slug: string, jobId: string): Promise<void>;
  /** A worker started the run: the project turns running. `withdrawn` when it was cancelled or unapproved meanwhile. */
  started(slug: string, jobId: string, worker: string, at: string): Promise<"started" | "withdrawn" | "stale">;
  /**
   * Stores a progress sample received at `at` (and the worker's prd.json in this machine's workspace, so
   * status and dashboard see the stories); resolves with the run's times on the bot's clock, or null when
   * the sample is not of the project's current running run.
   */
  progress(slug: string, jobId: string, sample: RunJobProgress, at: string): Promise<RemoteRunTimes | null>;
  /** The run's worker stopped answering and the run waits for another one (QUEUE_STALL_RETRIES): no worker now. */
  orphaned(slug: string, jobId: string, error: string): Promise<void>;
  /** Records how the run ended; true when this call recorded it. */
  finished(slug: string, jobId: string, result: RunJobResult, at: string): Promise<boolean>;
}

/** Creates the recorder over the lifecycle's locked update. */
export function createRunRecorder(deps: { lifecycle: Lifecycle; workspaceDir: string }): RunRecorder {
  // The bot's workspace of a remote run may hold a clone from planning: a link the repository put at
  // scripts/ or scripts/ralph/ must not decide where the worker's prd.json is written (it is then skipped).
  const writePrd = async (slug: string, prd: string | null) => {
    if (prd === null) return;
    const paths = workspacePaths(deps.workspaceDir, slug);
    const folder = await ensureWorkspaceDir(paths.root, relative(paths.root, paths.ralph));
    if (!folder.ok) return;
    await writeFileAtomically(paths.prd, prd);
  };
  return {
    async queued(slug, jobId, at, isRunningLocally) {
      const stored = await deps.lifecycle.update(slug, (entry) => {
        const open = readQueueRun(entry);
        if (isOpen(open))
          return fail(
            "invalid_state",
            `"${entry.name}" is already ${open.state === "queued" ? "waiting in the job queue" : `running on worker ${open.worker ?? "?"}`}.`,
            { details: { slug: entry.name, reason: open.state } },
          );
        if (isRunningLocally(entry))
          return fail("invalid_state", `"${entry.name}" is already running (PID ${entry.pid}).`, {
            details: { slug: entry.name, reason: "running" },
          });
        if ((entry.status ?? "").toLowerCase() !== "approved") {
          return notApprovedFailure(entry);
        }
        setQueueRun(entry, {
          job_id: jobId,
          state: "queued",
          worker: null,
          queued_at: at,
          started_at: null,
          finished_at: null,
          outcome: null,
          error: null,
        });
      });
      return stored.ok ? { ok: true, entry: stored.entry } : stored;
    },
    async unqueued(slug, jobId) {
      await deps.lifecycle.update(slug, (entry) => {
        if (readQueueRun(entry)?.job_id !== jobId) return fail("stale", "changed meanwhile");
        delete (entry as Record<string, unknown>)[QUEUE_RUN_FIELD];
      });
    },
    async started(slug, jobId, worker, at) {
      let outcome: "started" | "withdrawn" | "stale" = "stale";
      await deps.lifecycle.update(slug, (entry) => {
        const run = readQueueRun(entry);
        if (run?.job_id !== jobId || !isOpen(run)) return fail("stale", "not this run");
        if (run.state === "running") {
          // A retry after a stalled worker: same run, another worker.
          setQueueRun(entry, { ...run, worker, error: null });
          outcome = "started";
          return;
        }
        if ((entry.status ?? "").toLowerCase() !== "approved") {
          setQueueRun(entry, {
            ...run,
            state: "cancelled",
            finished_at: at,
            outcome: "cancelled",
            error: `${entry.status ?? "changed"} before a worker started it`,
          });
          outcome = "withdrawn";
          return;
        }
        entry.status = "running";
        entry.pid = null;
        entry.started_at = at;
        entry.error = null;
        setQueueRun(entry, { ...run, state: "running", worker, started_at: at });
        outcome = "started";
      });
      return outcome;
    },
    async progress(slug, jobId, sample, at) {
      let times: RemoteRunTimes | null = null;
      const current = await deps.lifecycle.update(slug, (entry) => {
        const run = readQueueRun(entry);
        if (run?.job_id !== jobId || run.state !== "running") return fail("stale", "not this run");
        const activity = activityAt(run.progress, sample, at);
        times = { startedAt: run.started_at ?? at, lastActivityAt: activity.at };
        setQueueRun(entry, {
          ...run,
          worker: sample.worker,
          progress: {
            stories_done: sample.storiesDone,
            stories_total: sample.storiesTotal,
            iteration: sample.iteration,
            commits: sample.commits,
            log_tail: sample.logTail,
            current_story: sample.currentStory ?? null,
            max_iterations: sample.maxIterations ?? null,
            last_commit: sample.lastCommit ?? null,
            last_activity_at: activity.at,
            activity_key: activity.key,
            worker_activity_at: sample.lastActivityAt ?? null,
            run_id: sample.startedAt ?? null,
          },
        });
      });
      if (current.ok) await writePrd(slug, sample.prd).catch(() => undefined);
      return current.ok ? times : null;
    },
    async orphaned(slug, jobId, error) {
      await deps.lifecycle.update(slug, (entry) => {
        const run = readQueueRun(entry);
        if (run?.job_id !== jobId || run.state !== "running") return fail("stale", "not this run");
        setQueueRun(entry, { ...run, worker: null, error });
      });
    },
    async finished(slug, jobId, result, at) {
      const before = await deps.lifecycle.update(slug, (entry) =>
        isOpen(readQueueRun(entry)) && readQueueRun(entry)!.job_id === jobId
          ? undefined
          : fail("stale", "not this run"),
      );
      if (!before.ok) return false;
      // The final prd.json first, so the status derived right after the entry changes reads the final stories.
      await writePrd(slug, result.prd).catch(() => undefined);
      let recorded = false;
      const stored = await deps.lifecycle.update(slug, (entry) => {
        const run = readQueueRun(entry);
        if (run?.job_id !== jobId || !isOpen(run)) return fail("stale", "already recorded");
        recorded = true;
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
        if (result.outcome === "refused") return applyRefusal(entry, wasRunning, result, at);
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
          };
        if (result.delivery?.pullRequest) entry.pull_request = { ...result.delivery.pullRequest, updated_at: at };
      });
      return stored.ok && recorded;
    },
  };
}

/**
 * When the run was last active, on the bot's clock: `at` (when the bot received the sample) if the sample
 * shows what the stored one did not — a new activity stamp, log output, prd.json, commit or iteration, or
 * another attempt — else the stored time. The worker's clock is never compared with the bot's: its stamp
 * only tells one sample from the next.
 */
function activityAt(stored: QueueRun["progress"], sample: RunJobProgress, at: string): { at: string; key: string } {
  const key = activityKey(sample);
  return { at: stored?.last_activity_at && stored.activity_key === key ? stored.last_activity_at : at, key };
}

/** A digest of what a sample shows of the run's activity (what Ralph changed on the worker). */
function activityKey(sample: RunJobProgress): string {
  const shown = [sample.startedAt, sample.lastActivityAt, sample.logTail, sample.prd, sample.commits, sample.iteration];
  return createHash("sha256").update(JSON.stringify(shown)).digest("base64url").slice(0, 22);
}
