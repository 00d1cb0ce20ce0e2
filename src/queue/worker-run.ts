import { removePidFile, writePidFile } from "../execute/ralph-process.ts";
import { startRalphReaper } from "./ralph-reaper.ts";
import { cancelKey, type RunJobData, type RunJobResult } from "./run-job.ts";
import type { WorkerRunContext } from "./worker-context.ts";
import { launchQueuedJob } from "./worker-launch.ts";
import { deliverQueuedRun, judgeQueuedRun } from "./worker-verdict.ts";
import { watchRalph } from "./worker-watch.ts";

/**
 * Runs one queued job on this machine with the executor's own steps — plan, clone/branch
 * (prepareWorkspace), Ralph script, gated launch — then streams progress until Ralph exits, judges the
 * run from prd.json, pushes the branch when PUSH_ON asks, and returns the outcome with the final prd.json.
 * A run that fails before Ralph starts is an outcome too, never an exception.
 */
export async function runQueuedJob(ctx: WorkerRunContext, jobId: string, job: RunJobData): Promise<RunJobResult> {
  const startedAt = new Date().toISOString();
  const launch = await launchQueuedJob(ctx, jobId, job);
  if (!launch.ok) return launch.result;
  const run = launch.launched;
  const { ralph, plan } = run;
  // Only now is the run the bot's `running` (the local executor records it once Ralph is launched too): a
  // refusal above leaves the project approved, with no "Ralph started" notice before it. A lost sample is
  // not a lost run: Redis may be restarting; the first progress sample or the outcome records it all the same.
  await ctx
    .report({
      phase: "preparing",
      worker: ctx.worker,
      startedAt,
      storiesDone: 0,
      storiesTotal: 0,
      iteration: 0,
      commits: 0,
      logTail: "",
      prd: job.prd,
    })
    .catch(() => undefined);
  await writePidFile(plan.root, ralph.pid);
  // Ralph's group must not outlive this worker: the queue gives a dead worker's run up (or to another worker).
  const reaper = startRalphReaper(ralph.pid);
  await ralph.release();
  ctx.log.info({ slug: job.slug, jobId, pid: ralph.pid }, `${job.slug}: Ralph started (PID ${ralph.pid})`);

  const watched = await watchRalph(ctx, { jobId, slug: job.slug, run, startedAt, onExit: () => reaper.disarm() });
  await removePidFile(plan.root, ralph.pid);
  await ctx.redis.del(cancelKey(jobId)).catch(() => 0);

  const { result, status } = await judgeQueuedRun(ctx, run, watched);
  if (!watched.stopped) await deliverQueuedRun(ctx, run, status, result);
  ctx.log.info({ slug: job.slug, jobId, outcome: result.outcome }, `${job.slug}: ${result.summary}`);
  return result;
}
