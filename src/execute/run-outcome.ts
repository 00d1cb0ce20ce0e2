import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";
import { readPrd } from "../projects/workspace-reads.ts";
import { fail, type Failure } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { workspacePathProblem } from "../projects/workspace-files.ts";
import { readClaim, setClaim } from "./claim.ts";
import { judgeRun, readLogTail } from "./outcome.ts";
import { removePidFile, type RalphProcess } from "./ralph-process.ts";
import type { ExecutorConfig, RunPlan } from "./run-plan.ts";

/** What happened to one project in a run. */
export type RunOutcome = "complete" | "blocked" | "failed" | "skipped" | "dry-run" | "detached" | "refused";

/** One project's line of a run: what the executor did and how it ended. */
export interface RunReport {
  slug: string;
  outcome: RunOutcome;
  /** One line for a person (also what `planbot execute` prints). */
  message: string;
  plan?: RunPlan;
  pid?: number;
  /** Ralph's exit code; null when it was killed by a signal or ended unobserved. */
  exitCode?: number | null;
  logPath?: string;
  /** What was stored in the entry's `error` (for a refusal: the reason and the fix, nothing stored). */
  error?: string;
  /** Why the preflight refused the run (`details.check` names the check), when it did. */
  refusal?: Failure;
  /** Why a `skipped` run did not start: another run of it is running or being prepared, or the executor is stopping. */
  skippedBecause?: "running" | "preparing" | "stopping";
  /** The failure that ended the preparation when it names a way forward (`details.next`), for each surface to word. */
  failure?: Failure;
}

/**
 * What follows a stored outcome, before anyone hears of it. The runtime wires delivery here — push the
 * branch, open the draft pull request (src/runtime/choose-executor.ts) — so execute does not import the
 * deliver layer above it (docs/architecture.md, "Layers"). It may add a line to the report's message and
 * never throws; it runs once per recorded outcome.
 */
export type AfterRecorded = (ctx: RunContext, report: RunReport, entry: ProjectEntry) => Promise<void>;

/**
 * What recording a run's outcome needs from the executor. A narrow slice of its dependencies, so the
 * launch and the recording of runs can live apart from the scheduling without importing the executor.
 */
export interface RunContext {
  lifecycle: Lifecycle;
  config: ExecutorConfig;
  log: Logger;
  probe: ProcessProbe;
  /** The clock as an ISO timestamp, for started_at / finished_at. */
  now(): string;
  /** Hands a recorded outcome to whoever listens (notifications); called once per recorded run. */
  onFinished(report: RunReport): void;
  /** What follows a stored outcome (delivery); absent: nothing does. */
  afterRecorded?: AfterRecorded;
  /** Environment for git, when the caller has one (the executor's): what follows the recording pushes with it. */
  env?: NodeJS.ProcessEnv;
  /** Folder a relative GIT_REMOTE_BASE is taken from, when the caller has one. */
  cwd?: string;
}

/** The parts of a watched run {@link recordExit} reads. */
export interface WatchedRun {
  slug: string;
  plan: RunPlan;
  ralph: RalphProcess;
  /** Read after the log tail is in, so a stop that races the exit is still noted. */
  stopping: boolean;
  /** Set by a stop with a reason (see stop-run.ts): leads the recorded error, e.g. "stopped: cancelled". */
  stopReason?: string | undefined;
}

/**
 * Records how a run planbot watched ended: judges it from prd.json, the exit and the log tail, and stores
 * the verdict — only if the entry still holds this run's PID, so an outcome is never recorded twice.
 * `recorded` says whether this call stored it (and so whether listeners should hear of it).
 */
export async function recordExit(
  ctx: RunContext,
  run: WatchedRun,
  exitCode: number | null,
  signal: string | null,
): Promise<{ report: RunReport; recorded: boolean }> {
  const paths = workspacePaths(ctx.config.workspaceDir, run.slug);
  const pid = run.ralph.pid;
  const verdict = judgeRun({
    prd: readPrd(paths.prd),
    exitCode,
    signal,
    tail: await readLogTail(run.ralph.logPath),
    note: run.stopping && !run.stopReason ? "stopped by planbot" : undefined,
    stopped: run.stopReason,
  });
  let mine = true;
  const stored = await ctx.lifecycle.update(run.slug, (entry) => {
    if (entry.pid !== pid) {
      mine = false;
      return fail("stale", "already recorded");
    }
    entry.pid = null;
    entry.status = keptStatus(entry, run.stopReason) ?? verdict.status;
    entry.error = verdict.error;
    entry.finished_at = ctx.now();
  });
  await removePidFile(paths.root, pid);
  if (!stored.ok && mine) ctx.log.error({ slug: run.slug, err: stored.message }, "could not record Ralph's outcome");
  const report: RunReport = {
    slug: run.slug,
    outcome: verdict.status,
    message: `${verdict.summary}; branch ${run.plan.branch}; log ${run.ralph.logPath}`,
    plan: run.plan,
    pid,
    exitCode,
    logPath: run.ralph.logPath,
    ...(verdict.error ? { error: verdict.error } : {}),
  };
  ctx.log.info({ slug: run.slug, pid, status: verdict.status }, `${run.slug}: Ralph ended: ${verdict.summary}`);
  if (stored.ok) await ctx.afterRecorded?.(ctx, report, stored.entry);
  return { report, recorded: stored.ok };
}

/**
 * A run stopped because its project was cancelled stays `cancelled` (a person's decision outranks the
 * verdict); undefined means "store the verdict".
 */
export function keptStatus(entry: ProjectEntry, stopReason: string | undefined): string | undefined {
  const own = (entry.status ?? "").toLowerCase();
  return stopReason && (own === "cancelled" || own === "canceled") ? entry.status : undefined;
}

/**
 * Records, once each, the outcome of runs whose PID is stored but dead and not `isOurs` (watched or being
 * stopped here) — Ralph ended while no planbot was its parent — judged from prd.json and the newest log (exit
 * code unknown). Also drops the claims of planbot processes that died mid-preparation: those projects simply
 * stay approved.
 */
export async function reconcileUnwatched(
  ctx: RunContext,
  projects: readonly ProjectEntry[],
  isOurs: (pid: number) => boolean,
): Promise<RunReport[]> {
  const recorded: RunReport[] = [];
  for (const entry of projects) {
    const pid = entry.pid;
    if (typeof pid === "number") {
      if (isOurs(pid) || ctx.probe.inspect(pid).alive) continue;
      const paths = workspacePaths(ctx.config.workspaceDir, entry.name);
      // A linked logs folder (from the repository) is not read: its files are not this run's.
      const logPath = workspacePathProblem(paths.root, "scripts/ralph/logs") ? undefined : newestRalphLog(paths.logs);
      const verdict = judgeRun({
        prd: readPrd(paths.prd),
        exitCode: null,
        tail: logPath ? await readLogTail(logPath) : undefined,
      });
      const stored = await ctx.lifecycle.update(entry.name, (current) => {
        // Asked again under the lock: a stop that began since the check above records this run itself.
        if (current.pid !== pid || isOurs(pid) || ctx.probe.inspect(pid).alive)
          return fail("stale", "changed meanwhile");
        current.pid = null;
        current.status = verdict.status;
        current.error = verdict.error;
        current.finished_at = ctx.now();
      });
      if (!stored.ok) continue;
      await removePidFile(paths.root, pid);
      const report: RunReport = {
        slug: entry.name,
        outcome: verdict.status,
        message: `${verdict.summary} (ended while planbot was not watching)`,
        pid,
        exitCode: null,
        ...(logPath ? { logPath } : {}),
        ...(verdict.error ? { error: verdict.error } : {}),
      };
      ctx.log.info(
        { slug: entry.name, pid, status: verdict.status },
        `${entry.name}: recorded the outcome of an unwatched Ralph run: ${verdict.summary}`,
      );
      await ctx.afterRecorded?.(ctx, report, stored.entry);
      recorded.push(report);
      ctx.onFinished(report);
    }
    const claim = readClaim(entry);
    if (claim && !ctx.probe.inspect(claim.pid).alive) {
      // A planbot died while preparing this project: it is still approved; drop the stale claim.
      await ctx.lifecycle.update(entry.name, (current) => {
        const held = readClaim(current);
        if (!held || held.token !== claim.token) return fail("stale", "changed meanwhile");
        setClaim(current, undefined);
      });
    }
  }
  return recorded;
}

/** The most recently written ralph-*.log: the best guess at the log of a run nobody watched end. */
export function newestRalphLog(logsDir: string): string | undefined {
  let newest: { path: string; mtime: number } | undefined;
  try {
    for (const name of readdirSync(logsDir)) {
      if (!/^ralph-.*\.log$/.test(name)) continue;
      const path = join(logsDir, name);
      const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (!newest || mtime > newest.mtime) newest = { path, mtime };
    }
  } catch {
    return undefined;
  }
  return newest?.path;
}

/**
 * Records a run planbot stopped without being its parent (see stop-run.ts), judged from prd.json and the
 * newest log with `reason` leading the error — only while the entry still names `pid`, so once. Null when
 * someone recorded it first.
 */
export async function recordStopped(
  ctx: RunContext,
  slug: string,
  pid: number,
  reason: string,
  signal: string,
): Promise<RunReport | null> {
  const paths = workspacePaths(ctx.config.workspaceDir, slug);
  const logPath = workspacePathProblem(paths.root, "scripts/ralph/logs") ? undefined : newestRalphLog(paths.logs);
  const verdict = judgeRun({
    prd: readPrd(paths.prd),
    exitCode: null,
    signal,
    tail: logPath ? await readLogTail(logPath) : undefined,
    stopped: reason,
  });
  const stored = await ctx.lifecycle.update(slug, (entry) => {
    if (entry.pid !== pid) return fail("stale", "already recorded");
    entry.pid = null;
    entry.status = keptStatus(entry, reason) ?? verdict.status;
    entry.error = verdict.error;
    entry.finished_at = ctx.now();
  });
  if (!stored.ok) return null;
  await removePidFile(paths.root, pid);
  const report: RunReport = {
    slug,
    outcome: verdict.status,
    message: verdict.summary,
    pid,
    exitCode: null,
    ...(logPath ? { logPath } : {}),
    ...(verdict.error ? { error: verdict.error } : {}),
  };
  ctx.log.info(
    { slug, pid, status: verdict.status },
    `${slug}: stopped Ralph (not started by this planbot): ${reason}`,
  );
  await ctx.afterRecorded?.(ctx, report, stored.entry);
  ctx.onFinished(report);
  return report;
}
