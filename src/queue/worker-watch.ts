import type { RalphExit } from "../execute/ralph-process.ts";
import type { StopReason } from "../execute/run-progress.ts";
import { cancelKey, type RunJobProgress } from "./run-job.ts";
import { createProgressSampler } from "./run-progress.ts";
import type { WorkerRunContext } from "./worker-context.ts";
import type { LaunchedJob } from "./worker-launch.ts";

/** How a watched Ralph ended: its exit, why planbot stopped it (if it did), and the last progress sample. */
export interface WatchedRun {
  exit: RalphExit;
  stopped: StopReason | null;
  latest: RunJobProgress | undefined;
}

/** One run to watch. */
export interface RalphWatch {
  jobId: string;
  slug: string;
  run: LaunchedJob;
  /** When the worker began the run (ISO): the run's id in every sample. */
  startedAt: string;
  /** Called as soon as Ralph exits, before the last sample (the worker disarms its reaper). */
  onExit(): void;
}

/**
 * Watches a released Ralph until it exits: every `sampleMs` it looks at the cancel key (a stop asked by
 * the bot kills Ralph's group, the value says why) and sends the bot a progress sample when it changed.
 * After the exit one fresh sample is taken, so the bot hears the final state.
 */
export async function watchRalph(ctx: WorkerRunContext, watch: RalphWatch): Promise<WatchedRun> {
  const { jobId, slug, run, startedAt } = watch;
  const { ralph } = run;
  let stopped: StopReason | null = null;
  let last = "";
  let latest: RunJobProgress | undefined;
  const sampler = createProgressSampler({
    plan: run.plan,
    paths: run.paths,
    logPath: run.logPath,
    startHead: run.startHead,
    worker: ctx.worker,
    startedAt,
    env: ctx.env,
  });
  const sample = async (fresh = false) => {
    if (!stopped) {
      const asked = await ctx.redis.get(cancelKey(jobId)).catch(() => null);
      if (asked) {
        stopped = asked === "time_limit" ? "time_limit" : "cancelled";
        ctx.log.info({ slug, jobId, reason: stopped }, `${slug}: stopped by planbot (${stopped})`);
        ralph.kill("SIGTERM");
        setTimeout(() => ralph.kill("SIGKILL"), 3000).unref();
      }
    }
    const now = await sampler.sample(fresh);
    latest = now;
    const key = JSON.stringify(now);
    if (key !== last) {
      last = key;
      await ctx.report(now).catch(() => undefined);
    }
  };
  let sampling = Promise.resolve();
  const next = () => sample();
  const timer = setInterval(() => (sampling = sampling.then(next, next)), ctx.sampleMs ?? 500);
  const exit = await ralph.exited;
  watch.onExit();
  clearInterval(timer);
  await sampling;
  await sample(true).catch(() => undefined);
  return { exit, stopped, latest };
}
