import { notApprovedFailure } from "./not-runnable.ts";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { fail, type Failure, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { ensureWorkspaceDir, openWorkspaceFile, writeWorkspaceText } from "../projects/workspace-files.ts";
import { checkBeforeRun, checkPreparedWorkspace, type HostFacts, type PlanCheck } from "./preflight.ts";
import { holdsClaim, liveForeignClaim, newClaim, setClaim, type ExecutorClaim } from "./claim.ts";
import { ensureRalphScript } from "./ralph-command.ts";
import { launchRalph, writePidFile, type RalphProcess } from "./ralph-process.ts";
import type { RunContext, RunReport } from "./run-outcome.ts";
import { describePlan, planRun, type RunPlan } from "./run-plan.ts";
import { excludeLocally, prepareWorkspace } from "./workspace-git.ts";

/** What {@link launchRun} needs beyond recording: where git and Ralph run, and whether to give up. */
export interface LaunchContext extends RunContext {
  /** Environment for git; Ralph gets it through {@link ralphEnv}. */
  env: NodeJS.ProcessEnv;
  /** Folder a relative GIT_REMOTE_BASE is taken from. */
  cwd: string;
  /** True once the executor stops: checked after the slow preparation, before Ralph is launched. */
  isClosed(): boolean;
  /** The machine planbot runs on (uid, container), for the preflight's root check. */
  host: HostFacts;
}

/**
 * How a launch went: Ralph released and recorded as `running` (the caller watches it from here), or the
 * run ended before Ralph worked — already recorded, with the claim failure when the project was not runnable.
 */
export type Launch =
  | { kind: "launched"; name: string; plan: RunPlan; ralph: RalphProcess; logPath: string; summary: string }
  | { kind: "ended"; report: RunReport; failure?: Failure };

/**
 * Runs one project up to the point where Ralph works: claim → plan → git → script → launch gated →
 * record PID → release. The project is claimed under the store lock (see claim.ts) before its workspace
 * is touched, so two planbot processes never run it twice; it turns `running` with Ralph's PID in the
 * same locked step that ends the claim, and Ralph is released only after that, so it never works unrecorded.
 */
export async function launchRun(ctx: LaunchContext, slug: string): Promise<Launch> {
  const claim = newClaim(ctx.now());
  const claimed = await ctx.lifecycle.update(slug, (entry) => {
    const info = ctx.probe.inspect(entry.pid ?? null);
    if (info.alive)
      return fail("invalid_state", `"${entry.name}" is already running (PID ${entry.pid}).`, {
        details: { reason: "running" },
      });
    if ((entry.status ?? "").toLowerCase() !== "approved") {
      return notApprovedFailure(entry);
    }
    const other = liveForeignClaim(entry, ctx.probe, claim);
    if (other)
      return fail(
        "invalid_state",
        `"${entry.name}" is being prepared for a run by planbot PID ${other.pid} since ${other.since}.`,
        { details: { reason: "claimed" } },
      );
    setClaim(entry, claim);
  });
  if (!claimed.ok)
    return {
      kind: "ended",
      report: { slug, outcome: "skipped", message: `skipped: ${claimed.message}` },
      failure: claimed,
    };
  const name = claimed.entry.name;

  const planned = planRun(claimed.entry, ctx.config, ctx.cwd);
  if (!planned.ok) return { kind: "ended", report: await preparationFailed(ctx, name, claim, planned.message) };
  const plan = planned.plan;
  ctx.log.info({ slug: name }, `${name}: preparing: ${describePlan(plan)}`);

  // Preflight, first half: nothing is touched when the plan, jq or the user is wrong.
  const checked = await checkBeforeRun(plan, ctx.env, ctx.host);
  if (!checked.ok) return { kind: "ended", report: await refused(ctx, name, claim, checked, plan) };
  const fixed = await correctBranchName(plan, checked.check);
  if (!fixed.ok) return { kind: "ended", report: await refused(ctx, name, claim, fixed, plan) };

  const prepared = await prepareWorkspace(plan, { env: ctx.env });
  if (!prepared.ok) return { kind: "ended", report: await preparationFailed(ctx, name, claim, prepared.message, plan) };
  const script = await ensureRalphScript(plan.ralph, plan.root);
  if (!script.ok) return { kind: "ended", report: await refused(ctx, name, claim, script, plan) };
  if (script.installed.length) {
    const excluded = await excludeLocally(plan.root, script.installed, ctx.env);
    if (!excluded.ok)
      return { kind: "ended", report: await preparationFailed(ctx, name, claim, excluded.message, plan) };
  }
  // Preflight, second half: the repository's files are in the workspace now.
  const ready = checkPreparedWorkspace(plan, script.file);
  if (!ready.ok) return { kind: "ended", report: await refused(ctx, name, claim, ready, plan) };

  if (ctx.isClosed()) {
    // Stopped while preparing: the project stays approved for the next run.
    await endPreparation(ctx, name, claim, () => undefined);
    return {
      kind: "ended",
      report: { slug: name, outcome: "skipped", message: "skipped: the executor stopped before Ralph started", plan },
    };
  }

  const launched = await startLoggedRalph(ctx, plan, script.file, checked.check.env, [
    prepared.prepared.summary,
    ...fixed.notes,
    ...checked.check.notes,
  ]);
  if (!launched.ok) {
    // A log that cannot be opened is refused like the other preflight problems; a failed start is a failure.
    const report =
      launched.details?.stage === "log"
        ? await refused(ctx, name, claim, launched, plan)
        : await preparationFailed(ctx, name, claim, launched.message, plan);
    return { kind: "ended", report };
  }
  const { ralph, logPath } = launched;

  // Ralph waits at the gate until both records exist, so it never works unrecorded.
  const recorded = await endPreparation(ctx, name, claim, (entry) => {
    entry.pid = ralph.pid;
    entry.status = "running";
    entry.started_at = ctx.now();
    // Live progress counts the run's commits from here (src/execute/run-sample.ts).
    entry.started_head = prepared.prepared.head;
    entry.error = null;
    // The branch Ralph works on is the project's branch from now on (chats and notices name it).
    entry.branch = plan.branch;
  });
  if (!recorded.ok || recorded.changed) {
    ralph.kill("SIGKILL");
    if (recorded.ok && recorded.changed)
      return { kind: "ended", report: changedMeanwhile(name, recorded.changed, plan) };
    return {
      kind: "ended",
      report: await preparationFailed(
        ctx,
        name,
        claim,
        `could not record Ralph's PID: ${recorded.ok ? "" : recorded.message}`,
        plan,
      ),
    };
  }
  try {
    await writePidFile(plan.root, ralph.pid);
    await ralph.release();
  } catch (error) {
    ralph.kill("SIGKILL");
    return {
      kind: "ended",
      report: await recordLaunchFailure(
        ctx,
        name,
        ralph.pid,
        `could not start Ralph: ${(error as Error).message}`,
        plan,
      ),
    };
  }
  return {
    kind: "launched",
    name,
    plan,
    ralph,
    logPath,
    summary: [prepared.prepared.summary, ...fixed.notes].join(", "),
  };
}

/**
 * Makes prd.json's branchName the project's branch (ralph.sh and its agent switch to branchName, so a
 * different one would put the work on another branch). Written in place without following links, before
 * the workspace is prepared, so the corrected file is what gets committed.
 */
export async function correctBranchName(plan: RunPlan, check: PlanCheck): Promise<Result<{ notes: string[] }>> {
  if (!check.branchFix) return { ok: true, notes: [] };
  const text = `${JSON.stringify({ ...check.prd, branchName: check.branchFix.to }, null, 2)}\n`;
  const written = await writeWorkspaceText(plan.root, "scripts/ralph/prd.json", text);
  if (!written.ok) return written;
  return {
    ok: true,
    notes: [
      `set prd.json branchName to ${check.branchFix.to}${check.branchFix.from ? ` (was ${check.branchFix.from})` : ""}`,
    ],
  };
}

/**
 * Opens this run's log in `scripts/ralph/logs/` (created if needed, links refused) and writes planbot's
 * header: when, what was prepared, what runs. Shared with the queue's worker, which runs the same steps.
 */
export async function openRunLog(
  ctx: Pick<LaunchContext, "now">,
  plan: RunPlan,
  notes: string[],
): Promise<Result<{ handle: FileHandle; path: string }>> {
  const dir = await ensureWorkspaceDir(plan.root, "scripts/ralph/logs");
  if (!dir.ok) return dir;
  const opened = await openWorkspaceFile(
    plan.root,
    `scripts/ralph/logs/ralph-${ctx.now().replace(/[:.]/g, "-")}.log`,
    "append",
  );
  if (!opened.ok) return opened;
  try {
    await opened.handle.write(
      `planbot: ${ctx.now()} ${notes.filter(Boolean).join("; ")}; branch ${plan.branch}; running ${plan.ralph.display}\n`,
    );
  } catch (error) {
    await opened.handle.close();
    return fail("execute_failed", `Cannot write Ralph's log ${opened.path}: ${(error as Error).message}`);
  }
  return opened;
}

/**
 * Opens the run's log ({@link openRunLog}) and launches Ralph gated, writing into it — the same for a local
 * run and a worker's. A failure says at which `details.stage` (`log` or `launch`) it stopped.
 */
export async function startLoggedRalph(
  ctx: Pick<LaunchContext, "now" | "env">,
  plan: RunPlan,
  scriptFile: string,
  checkEnv: NodeJS.ProcessEnv,
  notes: string[],
): Promise<Result<{ ralph: RalphProcess; logPath: string }>> {
  const log = await openRunLog(ctx, plan, notes);
  if (!log.ok) return { ...log, details: { ...log.details, stage: "log" } };
  try {
    const launched = await launchRalph({
      cwd: plan.root,
      file: scriptFile,
      args: plan.ralph.args,
      logPath: log.path,
      logFd: log.handle.fd,
      goFile: join(plan.root, "scripts", "ralph", ".ralph.go"),
      env: { ...ralphEnv(ctx.env), ...checkEnv },
    });
    if (!launched.ok) return { ...launched, details: { ...launched.details, stage: "launch" } };
    return { ok: true, ralph: launched.ralph, logPath: log.path };
  } finally {
    await log.handle.close();
  }
}

/**
 * The environment Ralph gets: planbot's own secrets removed (Ralph's agent runs arbitrary commands), the
 * job queue's URL too (it may carry Redis's password, and Redis holds every run).
 */
export function ralphEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ["DISCORD_TOKEN", "TELEGRAM_TOKEN", "DASHBOARD_TOKEN", "GITHUB_TOKEN", "PLANBOT_QUEUE_URL"])
    delete copy[name];
  return copy;
}

/**
 * Ends a preparation under the store lock: drops this executor's claim and applies `change` — unless
 * someone changed the project meanwhile (unapproved, cancelled), in which case only the claim goes.
 */
async function endPreparation(
  ctx: RunContext,
  name: string,
  claim: ExecutorClaim,
  change: (entry: ProjectEntry) => void,
): Promise<Result<{ changed: string | null }>> {
  let changed: string | null = null;
  const stored = await ctx.lifecycle.update(name, (entry) => {
    const mine = holdsClaim(entry, claim) && (entry.status ?? "").toLowerCase() === "approved";
    if (holdsClaim(entry, claim)) setClaim(entry, undefined);
    if (!mine) changed = entry.status ?? "without a status";
    else change(entry);
  });
  return stored.ok ? { ok: true, changed } : stored;
}

/** A run that ended before Ralph started: recorded as failed (or skipped when the project changed meanwhile). */
async function preparationFailed(
  ctx: RunContext,
  name: string,
  claim: ExecutorClaim,
  message: string,
  plan?: RunPlan,
): Promise<RunReport> {
  const stored = await endPreparation(ctx, name, claim, (entry) => {
    entry.status = "failed";
    entry.error = message;
    entry.pid = null;
    entry.finished_at = ctx.now();
  });
  if (!stored.ok) ctx.log.error({ slug: name, err: stored.message }, "could not record a failed run");
  else if (stored.changed) return changedMeanwhile(name, stored.changed, plan);
  ctx.log.warn({ slug: name }, `${name}: failed before Ralph started: ${message}`);
  const report: RunReport = {
    slug: name,
    outcome: "failed",
    message: `failed: ${message}`,
    error: message,
    ...(plan ? { plan } : {}),
  };
  ctx.onFinished(report);
  return report;
}

/**
 * A run the preflight refused: nothing ran, so the project stays approved (the claim is dropped) and the
 * report carries the reason and the fix for the chat, the CLI and the log.
 */
async function refused(
  ctx: RunContext,
  name: string,
  claim: ExecutorClaim,
  failure: Failure,
  plan: RunPlan,
): Promise<RunReport> {
  const stored = await endPreparation(ctx, name, claim, () => undefined);
  if (!stored.ok) ctx.log.error({ slug: name, err: stored.message }, "could not release a refused run");
  else if (stored.changed) return changedMeanwhile(name, stored.changed, plan);
  ctx.log.warn({ slug: name, check: failure.details?.check }, `${name}: ${failure.message}`);
  const report: RunReport = {
    slug: name,
    outcome: "refused",
    message: `refused: ${failure.message}`,
    error: failure.message,
    plan,
    refusal: failure,
  };
  ctx.onFinished(report);
  return report;
}

/** The PID was recorded but Ralph could not be released: clear it and record the failure. */
async function recordLaunchFailure(
  ctx: RunContext,
  name: string,
  pid: number,
  message: string,
  plan: RunPlan,
): Promise<RunReport> {
  const stored = await ctx.lifecycle.update(name, (entry) => {
    if (entry.pid !== pid) return fail("stale", "changed meanwhile");
    entry.pid = null;
    entry.status = "failed";
    entry.error = message;
    entry.finished_at = ctx.now();
  });
  if (!stored.ok) ctx.log.error({ slug: name, err: stored.message }, "could not record a failed launch");
  const report: RunReport = { slug: name, outcome: "failed", message: `failed: ${message}`, error: message, plan };
  ctx.onFinished(report);
  return report;
}

/** The report of a run whose project was unapproved or cancelled while its workspace was prepared. */
function changedMeanwhile(name: string, status: string, plan?: RunPlan): RunReport {
  return {
    slug: name,
    outcome: "skipped",
    message: `skipped: "${name}" became ${status} while its workspace was prepared; Ralph was not started`,
    ...(plan ? { plan } : {}),
  };
}
