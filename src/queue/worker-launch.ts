import { correctBranchName } from "../execute/branch-name-fix.ts";
import { startLoggedRalph } from "../execute/logged-ralph.ts";
import { checkBeforeRun, checkPreparedWorkspace, currentHost } from "../execute/preflight.ts";
import { ensureRalphScript } from "../execute/ralph-command.ts";
import type { RalphProcess } from "../execute/ralph-process.ts";
import { planRun, type RunPlan } from "../execute/run-plan.ts";
import { excludeLocally, prepareWorkspace } from "../execute/workspace-git.ts";
import { fixableField, type FixableField, memberStepOf, stepRepoPath } from "../projects/error-fix.ts";
import { type OperatorProblem, operatorProblemOf } from "../projects/operator-fix.ts";
import type { Failure, Result } from "../projects/result.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { ensureWorkspaceDir, writeWorkspaceText } from "../projects/workspace-files.ts";
import type { RunJobData, RunJobResult } from "./run-job.ts";
import type { WorkerRunContext } from "./worker-context.ts";

/** A queued job's Ralph, launched and still gated, with what watching and judging the run need. */
export interface LaunchedJob {
  plan: RunPlan;
  paths: ReturnType<typeof workspacePaths>;
  ralph: RalphProcess;
  logPath: string;
  /** HEAD of the branch once the workspace was prepared: the run's commits come after it. */
  startHead: string;
}

/** Either Ralph is launched, or the job's outcome is already known (refused or failed before Ralph started). */
export type JobLaunch = { ok: true; launched: LaunchedJob } | { ok: false; result: RunJobResult };

/**
 * Prepares and launches one queued job with the executor's own steps — plan files, plan, preflight,
 * branch name, clone/branch (prepareWorkspace), Ralph script, gated launch. A step that fails is an
 * outcome: what the local executor refuses this worker refuses too, anything else failed before Ralph started.
 */
export async function launchQueuedJob(ctx: WorkerRunContext, jobId: string, job: RunJobData): Promise<JobLaunch> {
  const refused = (failure: Failure): JobLaunch => ({ ok: false, result: refusedResult(ctx, jobId, job, failure) });
  const failed = (error: string, failure?: Failure): JobLaunch => ({
    ok: false,
    result: failedBeforeStart(ctx, job, error, fixableField(failure), failure && operatorProblemOf(failure)),
  });
  const paths = workspacePaths(ctx.config.workspaceDir, job.slug);
  const files = await writePlanFiles(paths.root, job);
  if (!files.ok) return refused(files);
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
  if (!prepared.ok) return failed(prepared.message, prepared);
  const script = await ensureRalphScript(plan.ralph, plan.root, plan.remoteUrl !== null);
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
  const { ralph, logPath } = launched;
  return { ok: true, launched: { plan, paths, ralph, logPath, startHead: prepared.prepared.head } };
}

/** Writes the job's final plan and prd.json without following links (a repository could put a symlink there). */
async function writePlanFiles(root: string, job: RunJobData): Promise<Result<object>> {
  const dir = await ensureWorkspaceDir(root, "scripts/ralph");
  if (!dir.ok) return dir;
  for (const [rel, text] of [
    ["scripts/ralph/final-plan.md", job.finalPlan],
    ["scripts/ralph/prd.json", job.prd],
  ] as const) {
    if (text === null) continue;
    const written = await writeWorkspaceText(root, rel, text);
    if (!written.ok) return written;
  }
  return { ok: true };
}

/** The outcome of a job this worker refuses: nothing ran, the project stays approved. */
function refusedResult(ctx: WorkerRunContext, jobId: string, job: RunJobData, failure: Failure): RunJobResult {
  const repoPath = stepRepoPath(memberStepOf(failure));
  ctx.log.warn({ slug: job.slug, jobId, check: failure.details?.check }, `${job.slug}: ${failure.message}`);
  return {
    ...notStarted(ctx, job),
    outcome: "refused",
    summary: `refused on ${ctx.worker}: ${failure.message}`,
    error: failure.message,
    ...(typeof failure.details?.check === "string" ? { check: failure.details.check } : {}),
    ...(repoPath ? { repoPath } : {}),
    ...(typeof failure.details?.path === "string" ? { path: failure.details.path } : {}),
  };
}

/** The outcome of a job that failed before Ralph started, with the field whose edit fixes it when there is one. */
function failedBeforeStart(
  ctx: WorkerRunContext,
  job: RunJobData,
  error: string,
  fix: FixableField | undefined,
  operator: OperatorProblem | undefined,
): RunJobResult {
  return {
    ...notStarted(ctx, job),
    outcome: "failed",
    summary: `failed before Ralph started: ${error}`,
    error,
    ...(fix ? { fix } : {}),
    ...(operator ? { operator } : {}),
  };
}

/** The fields of an outcome where Ralph never ran: the job's own branch and prd.json, no exit, no delivery. */
function notStarted(ctx: WorkerRunContext, job: RunJobData) {
  return { worker: ctx.worker, exitCode: null, branch: job.branch, prd: job.prd, delivery: null };
}
