import { readFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import { correctBranchName } from "../execute/branch-name-fix.ts";
import { startLoggedRalph } from "../execute/logged-ralph.ts";
import { judgeRun, readLogTail } from "../execute/outcome.ts";
import { checkBeforeRun, checkPreparedWorkspace, currentHost } from "../execute/preflight.ts";
import { ensureRalphScript } from "../execute/ralph-command.ts";
import { removePidFile, writePidFile } from "../execute/ralph-process.ts";
import { planRun, type ExecutorConfig } from "../execute/run-plan.ts";
import { excludeLocally, prepareWorkspace } from "../execute/workspace-git.ts";
import { shouldDeliver } from "../deliver/deliver-run.ts";
import { pushBranch } from "../deliver/push-branch.ts";
import type { Logger } from "../log.ts";
import { readPrd } from "../projects/project-list.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { ensureWorkspaceDir, writeWorkspaceText } from "../projects/workspace-files.ts";
import type { StopReason } from "../execute/run-progress.ts";
import { startRalphReaper } from "./ralph-reaper.ts";
import { createProgressSampler } from "./run-progress.ts";
import type { Failure } from "../projects/result.ts";
import { cancelKey, type RunJobData, type RunJobProgress, type RunJobResult } from "./run-job.ts";

/** What one job needs on the worker. */
export interface WorkerRunContext {
  config: ExecutorConfig;
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: Logger;
  /** This worker's name (host:pid), reported with every sample and the outcome. */
  worker: string;
  redis: Redis;
  /** Sends a progress sample to the bot (BullMQ job progress). */
  report(sample: RunJobProgress): Promise<void>;
  /** How often progress and the cancel key are looked at (default 500 ms). */
  sampleMs?: number;
}

/**
 * Runs one queued job on this machine with the executor's own steps — plan, clone/branch
 * (prepareWorkspace), Ralph script, gated launch — then streams progress until Ralph exits, judges the
 * run from prd.json, pushes the branch when PUSH_ON asks, and returns the outcome with the final prd.json.
 * A run that fails before Ralph starts is an outcome too, never an exception.
 */
export async function runQueuedJob(ctx: WorkerRunContext, jobId: string, job: RunJobData): Promise<RunJobResult> {
  const startedAt = new Date().toISOString();
  const base = { worker: ctx.worker, exitCode: null, branch: job.branch, prd: job.prd, delivery: null };
  const failed = (error: string): RunJobResult => ({
    ...base,
    outcome: "failed",
    summary: `failed before Ralph started: ${error}`,
    error,
  });
  // What the local executor refuses, this worker refuses too: nothing ran, the project stays approved.
  const refused = (failure: Failure): RunJobResult => {
    ctx.log.warn({ slug: job.slug, jobId, check: failure.details?.check }, `${job.slug}: ${failure.message}`);
    return {
      ...base,
      outcome: "refused",
      summary: `refused on ${ctx.worker}: ${failure.message}`,
      error: failure.message,
      ...(typeof failure.details?.check === "string" ? { check: failure.details.check } : {}),
    };
  };
  const paths = workspacePaths(ctx.config.workspaceDir, job.slug);
  // The plan files go in without following links (a repository could put a symlink there).
  const dir = await ensureWorkspaceDir(paths.root, "scripts/ralph");
  if (!dir.ok) return refused(dir);
  for (const [rel, text] of [
    ["scripts/ralph/final-plan.md", job.finalPlan],
    ["scripts/ralph/prd.json", job.prd],
  ] as const) {
    if (text === null) continue;
    const written = await writeWorkspaceText(paths.root, rel, text);
    if (!written.ok) return refused(written);
  }
  const planned = planRun(
    { name: job.slug, repo: job.repo, branch: job.branch, base_branch: job.base },
    ctx.config,
    ctx.cwd,
  );
  if (!planned.ok) return failed(planned.message);
  const plan = planned.plan;
  // The executor's preflight: jq, the agent CLI, a sane plan — on this machine, before anything is touched.
  const checked = await checkBeforeRun(plan, ctx.env, currentHost());
  if (!checked.ok) return refused(checked);
  // As the local executor does: Ralph switches to prd.json's branchName, so it must be the project's branch.
  const fixed = await correctBranchName(plan, checked.check);
  if (!fixed.ok) return refused(fixed);
  const prepared = await prepareWorkspace(plan, { env: ctx.env });
  if (!prepared.ok) return failed(prepared.message);
  const script = await ensureRalphScript(plan.ralph, plan.root);
  if (!script.ok) return refused(script);
  if (script.installed.length) {
    const excluded = await excludeLocally(plan.root, script.installed, ctx.env);
    if (!excluded.ok) return failed(excluded.message);
  }
  const ready = checkPreparedWorkspace(plan, script.file);
  if (!ready.ok) return refused(ready);
  const launched = await startLoggedRalph(
    { now: () => new Date().toISOString(), env: ctx.env },
    plan,
    script.file,
    checked.check.env,
    [`planbot worker ${ctx.worker}`, prepared.prepared.summary, ...fixed.notes, ...checked.check.notes],
  );
  // A log that cannot be opened is refused like the other preflight problems; a failed start is a failure.
  if (!launched.ok) return launched.details?.stage === "log" ? refused(launched) : failed(launched.message);
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
  const { ralph, logPath } = launched;
  await writePidFile(plan.root, ralph.pid);
  // Ralph's group must not outlive this worker: the queue gives a dead worker's run up (or to another worker).
  const reaper = startRalphReaper(ralph.pid);
  await ralph.release();
  ctx.log.info({ slug: job.slug, jobId, pid: ralph.pid }, `${job.slug}: Ralph started (PID ${ralph.pid})`);

  let stopped: StopReason | null = null;
  let last = "";
  let latest: RunJobProgress | undefined;
  const sampler = createProgressSampler({
    plan,
    paths,
    logPath,
    startHead: prepared.prepared.head,
    worker: ctx.worker,
    startedAt,
    env: ctx.env,
  });
  const sample = async (fresh = false) => {
    if (!stopped) {
      const asked = await ctx.redis.get(cancelKey(jobId)).catch(() => null);
      if (asked) {
        stopped = asked === "time_limit" ? "time_limit" : "cancelled";
        ctx.log.info({ slug: job.slug, jobId, reason: stopped }, `${job.slug}: stopped by planbot (${stopped})`);
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
  reaper.disarm();
  clearInterval(timer);
  await sampling;
  await sample(true).catch(() => undefined);
  await removePidFile(plan.root, ralph.pid);
  await ctx.redis.del(cancelKey(jobId)).catch(() => 0);

  const prd = readPrd(paths.prd);
  const stopNote = stopped ? stopNotes[stopped as StopReason] : undefined;
  const verdict = judgeRun({
    prd,
    exitCode: exit.exitCode,
    signal: exit.signal,
    tail: await readLogTail(logPath),
    note: stopNote,
  });
  const finalPrd = await readFile(paths.prd, "utf8").catch(() => null);
  const result: RunJobResult = {
    outcome: stopped === "cancelled" ? "cancelled" : stopped ? "failed" : verdict.status,
    summary: `${stopNote ? `${stopNote}; ` : ""}${verdict.summary}; log ${logPath} on ${ctx.worker}`,
    error: stopNote ? `${stopNote}: ${verdict.error ?? ""}`.replace(/: $/, "") : verdict.error,
    worker: ctx.worker,
    exitCode: exit.exitCode,
    branch: plan.branch,
    prd: finalPrd,
    commits: latest ? { count: latest.commits, subjects: latest.recentCommits ?? [] } : null,
    delivery: null,
  };
  const pushOn = ctx.config.execute.delivery?.pushOn;
  if (!stopped && pushOn && shouldDeliver(pushOn, verdict.status)) {
    const pushed = await pushBranch({
      root: plan.root,
      branch: plan.branch,
      base: plan.base,
      remoteUrl: plan.remoteUrl,
      env: ctx.env,
    });
    result.delivery = pushed.ok
      ? { ok: true, pushed: true, summary: `pushed ${plan.branch} to ${pushed.remote}`, hint: null }
      : { ok: false, pushed: false, summary: `${plan.branch} was not pushed: ${pushed.message}`, hint: pushed.hint };
  }
  ctx.log.info({ slug: job.slug, jobId, outcome: result.outcome }, `${job.slug}: ${result.summary}`);
  return result;
}

/** What a stopped run's outcome says, by why planbot stopped it. */
const stopNotes: Record<StopReason, string> = {
  cancelled: "stopped: cancelled",
  time_limit: "stopped: the run reached its time limit",
};
