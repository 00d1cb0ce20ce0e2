import { readFile } from "node:fs/promises";
import { shouldDeliver } from "../deliver/deliver-run.ts";
import { pushRunBranch } from "../deliver/push-run.ts";
import { judgeRun, readLogTail, type RunVerdict } from "../execute/outcome.ts";
import type { StopReason } from "../execute/run-progress.ts";
import { readPrd } from "../projects/workspace-reads.ts";
import type { RunJobResult } from "./run-job.ts";
import type { WorkerRunContext } from "./worker-context.ts";
import type { LaunchedJob } from "./worker-launch.ts";
import type { WatchedRun } from "./worker-watch.ts";

/**
 * Judges a run that Ralph ended from prd.json, its exit and its log — a run planbot stopped is cancelled
 * or failed, saying why — and returns the outcome with the final prd.json and the run's commits, and the
 * verdict's own status (what PUSH_ON is asked about).
 */
export async function judgeQueuedRun(
  ctx: WorkerRunContext,
  run: LaunchedJob,
  watched: WatchedRun,
): Promise<{ result: RunJobResult; status: RunVerdict["status"] }> {
  const { exit, stopped, latest } = watched;
  const prd = readPrd(run.paths.prd);
  const stopNote = stopped ? stopNotes[stopped] : undefined;
  const verdict = judgeRun({
    prd,
    exitCode: exit.exitCode,
    signal: exit.signal,
    tail: await readLogTail(run.logPath),
    note: stopNote,
  });
  const finalPrd = await readFile(run.paths.prd, "utf8").catch(() => null);
  const result: RunJobResult = {
    outcome: stopped === "cancelled" ? "cancelled" : stopped ? "failed" : verdict.status,
    summary: `${stopNote ? `${stopNote}; ` : ""}${verdict.summary}; log ${run.logPath} on ${ctx.worker}`,
    error: stopNote ? `${stopNote}: ${verdict.error ?? ""}`.replace(/: $/, "") : verdict.error,
    worker: ctx.worker,
    exitCode: exit.exitCode,
    branch: run.plan.branch,
    prd: finalPrd,
    commits: latest ? { count: latest.commits, subjects: latest.recentCommits ?? [] } : null,
    delivery: null,
  };
  return { result, status: verdict.status };
}

/**
 * Pushes the branch when PUSH_ON asks for a run that ended with `status` (the caller never asks for a run
 * planbot stopped); the delivery is recorded on `result`. The pull request is the bot's step, not the worker's.
 */
export async function deliverQueuedRun(
  ctx: WorkerRunContext,
  run: LaunchedJob,
  status: RunVerdict["status"],
  result: RunJobResult,
): Promise<void> {
  const pushOn = ctx.config.execute.delivery?.pushOn;
  if (!pushOn || !shouldDeliver(pushOn, status)) return;
  result.delivery = await pushRunBranch(run.plan, ctx.env);
}

/** What a stopped run's outcome says, by why planbot stopped it. */
const stopNotes: Record<StopReason, string> = {
  cancelled: "stopped: cancelled",
  time_limit: "stopped: the run reached its time limit",
};
