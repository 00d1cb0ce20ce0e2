import { readdirSync, statSync } from "node:fs";
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ExecutorPort } from "../bot/executor-port.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { procProbe, type ProcessProbe } from "../projects/process-probe.ts";
import { readPrd, type ProjectLister } from "../projects/project-list.ts";
import { findProject, type ProjectStore } from "../projects/project-store.ts";
import { fail, type Failure, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { validateSlug } from "../projects/validation.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { judgeRun, readLogTail } from "./outcome.ts";
import { holdsClaim, liveForeignClaim, newClaim, readClaim, setClaim, type ExecutorClaim } from "./claim.ts";
import { ensureRalphScript } from "./ralph-command.ts";
import { launchRalph, removePidFile, writePidFile, type RalphProcess } from "./ralph-process.ts";
import { redactUrl } from "./remote-url.ts";
import { describePlan, planRun, type ExecutorConfig, type RunPlan } from "./run-plan.ts";
import { excludeLocally, prepareWorkspace } from "./workspace-git.ts";

/** What happened to one project in a run. */
export type RunOutcome = "complete" | "blocked" | "failed" | "skipped" | "dry-run" | "detached";

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
  /** What was stored in the entry's `error`. */
  error?: string;
}

/** Dependencies of {@link createExecutor}. */
export interface ExecutorDeps {
  store: ProjectStore;
  lifecycle: Lifecycle;
  /** Not needed by the executor itself; accepted so callers can pass the core services as they are. */
  lister?: ProjectLister;
  config: ExecutorConfig;
  clock: Clock;
  log: Logger;
  probe?: ProcessProbe;
  /** Environment for git and Ralph (default `process.env`; planbot's own tokens are removed for Ralph). */
  env?: NodeJS.ProcessEnv;
  /** Folder a relative GIT_REMOTE_BASE is taken from (default `process.cwd()`). */
  cwd?: string;
  /** Called once per finished run whose outcome this executor recorded (exit observed or reconciled): notifications hook in here. */
  onFinished?: (report: RunReport) => void;
  /** Grace between SIGTERM and SIGKILL when {@link Executor.stop} kills runs (default 3000 ms). */
  killGraceMs?: number;
}

/** The Ralph executor ("night-execute"). */
export interface Executor extends ExecutorPort {
  /**
   * Runs every approved project (or just `slug`) in approval order, `config.execute.parallel` at a time,
   * and resolves when the runs it started have ended. `dryRun` only reports what would be done.
   */
  runOnce(options?: { slug?: string | undefined; dryRun?: boolean | undefined }): Promise<Result<{ runs: RunReport[] }>>;
  /** Starts one approved project now (`/run`); resolves once Ralph is launched, not when it finishes. */
  runNow(slug: string): Promise<Result<{ message: string }>>;
  /**
   * Records the outcome of runs whose PID is stored but no longer alive — Ralph ended while no planbot
   * was its parent (planbot restarted) — once each, from prd.json (exit code unknown). Also drops the
   * preparation claims of planbot processes that died mid-clone (those projects simply stay approved).
   */
  reconcileFinishedRuns(): Promise<Result<{ recorded: RunReport[] }>>;
  /** Resolves when no run started by this executor is preparing or running. */
  waitForIdle(): Promise<void>;
  /** Stops starting runs, kills the Ralph process groups it started, records their outcomes and waits. */
  stop(): Promise<void>;
  /**
   * Stops starting runs and stops watching the running ones, which keep running detached; their outcome
   * is recorded later by {@link Executor.reconcileFinishedRuns}. What `planbot start` does at shutdown.
   */
  close(): Promise<void>;
}

interface ActiveRun {
  slug: string;
  plan: RunPlan;
  ralph: RalphProcess;
  stopping: boolean;
  detached: boolean;
  settle(report: RunReport): void;
  done: Promise<RunReport>;
}

type Started = { kind: "started"; run: ActiveRun; summary: string } | { kind: "ended"; report: RunReport; failure?: Failure };

/**
 * Creates the executor. The store is the only shared state: a project is claimed under the store's lock
 * (see claim.ts) before its workspace is touched, so two planbot processes never run it twice; it turns
 * `running` with Ralph's PID in the same locked step that ends the claim.
 */
export function createExecutor(deps: ExecutorDeps): Executor {
  const probe = deps.probe ?? procProbe;
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const graceMs = deps.killGraceMs ?? 3000;
  const now = () => deps.clock.now().toISOString();
  const active = new Map<string, ActiveRun>();
  const preparing = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  let closed = false;
  let killing = false;
  let detaching = false;

  /** Stops watching a run (it keeps running); its outcome is left to reconcileFinishedRuns. */
  function detach(run: ActiveRun): void {
    run.detached = true;
    run.settle({ slug: run.slug, outcome: "detached", message: `still running (PID ${run.ralph.pid}); its outcome is recorded when it ends`, plan: run.plan, pid: run.ralph.pid, logPath: run.ralph.logPath });
  }

  /** SIGTERM to the run's process group, SIGKILL after the grace period if it is still there. */
  function terminate(run: ActiveRun): void {
    if (run.stopping) return;
    run.stopping = true;
    run.ralph.kill("SIGTERM");
    const timer = setTimeout(() => run.ralph.kill("SIGKILL"), graceMs);
    void run.done.finally(() => clearTimeout(timer));
  }

  function track<T>(work: Promise<T>): Promise<T> {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  }

  /** Keeps the event loop alive while something awaits runs (Ralph's own handle is unref'd). */
  async function keepingAlive<T>(work: Promise<T>): Promise<T> {
    const timer = setInterval(() => undefined, 1 << 30);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Ends a preparation under the store lock: drops this executor's claim and applies `change` — unless
   * someone changed the project meanwhile (unapproved, cancelled), in which case only the claim goes.
   */
  async function endPreparation(name: string, claim: ExecutorClaim, change: (entry: ProjectEntry) => void): Promise<Result<{ changed: string | null }>> {
    let changed: string | null = null;
    const stored = await deps.lifecycle.update(name, (entry) => {
      const mine = holdsClaim(entry, claim) && (entry.status ?? "").toLowerCase() === "approved";
      if (holdsClaim(entry, claim)) setClaim(entry, undefined);
      if (!mine) changed = entry.status ?? "without a status";
      else change(entry);
    });
    return stored.ok ? { ok: true, changed } : stored;
  }

  /** A run that ended before Ralph started: recorded as failed (or skipped when the project changed meanwhile). */
  async function preparationFailed(name: string, claim: ExecutorClaim, message: string, plan?: RunPlan): Promise<RunReport> {
    const stored = await endPreparation(name, claim, (entry) => {
      entry.status = "failed";
      entry.error = message;
      entry.pid = null;
      entry.finished_at = now();
    });
    if (!stored.ok) deps.log.error({ slug: name, err: stored.message }, "could not record a failed run");
    else if (stored.changed) return changedMeanwhile(name, stored.changed, plan);
    deps.log.warn({ slug: name }, `${name}: failed before Ralph started: ${message}`);
    const report: RunReport = { slug: name, outcome: "failed", message: `failed: ${message}`, error: message, ...(plan ? { plan } : {}) };
    deps.onFinished?.(report);
    return report;
  }

  /** The PID was recorded but Ralph could not be released: clear it and record the failure. */
  async function recordLaunchFailure(name: string, pid: number, message: string, plan: RunPlan): Promise<RunReport> {
    const stored = await deps.lifecycle.update(name, (entry) => {
      if (entry.pid !== pid) return fail("stale", "changed meanwhile");
      entry.pid = null;
      entry.status = "failed";
      entry.error = message;
      entry.finished_at = now();
    });
    if (!stored.ok) deps.log.error({ slug: name, err: stored.message }, "could not record a failed launch");
    const report: RunReport = { slug: name, outcome: "failed", message: `failed: ${message}`, error: message, plan };
    deps.onFinished?.(report);
    return report;
  }

  function changedMeanwhile(name: string, status: string, plan?: RunPlan): RunReport {
    return { slug: name, outcome: "skipped", message: `skipped: "${name}" became ${status} while its workspace was prepared; Ralph was not started`, ...(plan ? { plan } : {}) };
  }

  /** Claim → plan → git → script → launch gated → record PID → release. */
  async function start(slug: string): Promise<Started> {
    if (closed) return { kind: "ended", report: { slug, outcome: "skipped", message: "skipped: the executor is stopping" } };
    const running = active.get(slug);
    if (running) return { kind: "ended", report: { slug, outcome: "skipped", message: `skipped: already running (PID ${running.ralph.pid})`, pid: running.ralph.pid } };
    if (preparing.has(slug)) return { kind: "ended", report: { slug, outcome: "skipped", message: "skipped: its workspace is being prepared for a run already" } };
    preparing.add(slug);
    try {
      const claim = newClaim(now());
      const claimed = await deps.lifecycle.update(slug, (entry) => {
        const info = probe.inspect(entry.pid ?? null);
        if (info.alive) return fail("invalid_state", `"${entry.name}" is already running (PID ${entry.pid}).`, { details: { reason: "running" } });
        if ((entry.status ?? "").toLowerCase() !== "approved") {
          return fail("invalid_state", `"${entry.name}" is ${entry.status ?? "without a status"}, not approved: approve it first (/approve ${entry.name}).`, { details: { reason: "not_approved" } });
        }
        const other = liveForeignClaim(entry, probe, claim);
        if (other) return fail("invalid_state", `"${entry.name}" is being prepared for a run by planbot PID ${other.pid} since ${other.since}.`, { details: { reason: "claimed" } });
        setClaim(entry, claim);
      });
      if (!claimed.ok) return { kind: "ended", report: { slug, outcome: "skipped", message: `skipped: ${claimed.message}` }, failure: claimed };
      const name = claimed.entry.name;

      const planned = planRun(claimed.entry, deps.config, cwd);
      if (!planned.ok) return { kind: "ended", report: await preparationFailed(name, claim, planned.message) };
      const plan = planned.plan;
      deps.log.info({ slug: name }, `${name}: preparing: ${describePlan(plan)}`);

      const prepared = await prepareWorkspace(plan, { env });
      if (!prepared.ok) return { kind: "ended", report: await preparationFailed(name, claim, prepared.message, plan) };
      const script = await ensureRalphScript(plan.ralph, plan.root);
      if (!script.ok) return { kind: "ended", report: await preparationFailed(name, claim, script.message, plan) };
      if (script.installed.length) {
        const excluded = await excludeLocally(plan.root, script.installed, env);
        if (!excluded.ok) return { kind: "ended", report: await preparationFailed(name, claim, excluded.message, plan) };
      }

      if (closed) {
        // Stopped while preparing: the project stays approved for the next run.
        await endPreparation(name, claim, () => undefined);
        return { kind: "ended", report: { slug: name, outcome: "skipped", message: "skipped: the executor stopped before Ralph started", plan } };
      }

      const paths = workspacePaths(deps.config.workspaceDir, name);
      const logPath = join(paths.logs, `ralph-${now().replace(/[:.]/g, "-")}.log`);
      try {
        await mkdir(paths.logs, { recursive: true });
        await appendFile(logPath, `planbot: ${now()} ${prepared.prepared.summary}; running ${plan.ralph.display}\n`);
      } catch {
        // launchRalph creates the folder and reports a log it cannot open.
      }
      const launched = await launchRalph({ cwd: plan.root, file: script.file, args: plan.ralph.args, logPath, goFile: join(paths.ralph, ".ralph.go"), env: ralphEnv(env) });
      if (!launched.ok) return { kind: "ended", report: await preparationFailed(name, claim, launched.message, plan) };
      const ralph = launched.ralph;

      // Ralph waits at the gate until both records exist, so it never works unrecorded.
      const recorded = await endPreparation(name, claim, (entry) => {
        entry.pid = ralph.pid;
        entry.status = "running";
        entry.started_at = now();
        entry.error = null;
      });
      if (!recorded.ok || recorded.changed) {
        ralph.kill("SIGKILL");
        if (recorded.ok && recorded.changed) return { kind: "ended", report: changedMeanwhile(name, recorded.changed, plan) };
        return { kind: "ended", report: await preparationFailed(name, claim, `could not record Ralph's PID: ${recorded.ok ? "" : recorded.message}`, plan) };
      }
      try {
        await writePidFile(paths.pidFile, ralph.pid);
        await ralph.release();
      } catch (error) {
        ralph.kill("SIGKILL");
        return { kind: "ended", report: await recordLaunchFailure(name, ralph.pid, `could not start Ralph: ${(error as Error).message}`, plan) };
      }

      let settle!: (report: RunReport) => void;
      const done = new Promise<RunReport>((resolve) => (settle = resolve));
      const run: ActiveRun = { slug: name, plan, ralph, stopping: false, detached: false, settle, done };
      let settled = false;
      run.settle = (report) => {
        if (settled) return;
        settled = true;
        active.delete(name);
        settle(report);
      };
      active.set(name, run);
      track(done);
      if (killing) terminate(run);
      else if (detaching) detach(run);
      void ralph.exited.then((exit) => finish(run, exit.exitCode, exit.signal)).catch((error: unknown) => {
        deps.log.error({ slug: name, err: error }, "recording Ralph's outcome failed");
        run.settle({ slug: name, outcome: "failed", message: `failed: could not record the outcome: ${(error as Error).message}`, plan, pid: ralph.pid });
      });
      const summary = prepared.prepared.summary;
      deps.log.info({ slug: name, pid: ralph.pid, logPath }, `${name}: Ralph started (PID ${ralph.pid})`);
      return { kind: "started", run, summary };
    } finally {
      preparing.delete(slug);
    }
  }

  async function finish(run: ActiveRun, exitCode: number | null, signal: string | null): Promise<void> {
    if (run.detached) return;
    const paths = workspacePaths(deps.config.workspaceDir, run.slug);
    const pid = run.ralph.pid;
    const verdict = judgeRun({
      prd: readPrd(paths.prd),
      exitCode,
      signal,
      tail: await readLogTail(run.ralph.logPath),
      note: run.stopping ? "stopped by planbot" : undefined,
    });
    let mine = true;
    const stored = await deps.lifecycle.update(run.slug, (entry) => {
      if (entry.pid !== pid) {
        mine = false;
        return fail("stale", "already recorded");
      }
      entry.pid = null;
      entry.status = verdict.status;
      entry.error = verdict.error;
      entry.finished_at = now();
    });
    await removePidFile(paths.pidFile, pid);
    if (!stored.ok && mine) deps.log.error({ slug: run.slug, err: stored.message }, "could not record Ralph's outcome");
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
    deps.log.info({ slug: run.slug, pid, status: verdict.status }, `${run.slug}: Ralph ended: ${verdict.summary}`);
    run.settle(report);
    if (stored.ok) deps.onFinished?.(report);
  }

  async function runBatch(entries: ProjectEntry[]): Promise<RunReport[]> {
    const reports: RunReport[] = new Array(entries.length);
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const index = next++;
        const entry = entries[index]!;
        if (closed) {
          reports[index] = { slug: entry.name, outcome: "skipped", message: "skipped: the executor is stopping" };
          continue;
        }
        const started = await start(entry.name);
        reports[index] = started.kind === "started" ? await started.run.done : started.report;
      }
    };
    const width = Math.max(1, Math.min(deps.config.execute.parallel, entries.length));
    await Promise.all(Array.from({ length: width }, worker));
    return reports;
  }

  async function runOnce(options: { slug?: string | undefined; dryRun?: boolean | undefined } = {}): Promise<Result<{ runs: RunReport[] }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    const runs: RunReport[] = [];
    let candidates: ProjectEntry[];
    if (options.slug !== undefined) {
      const problem = validateSlug(options.slug);
      if (problem) return fail("invalid_slug", problem);
      const entry = findProject(read.file, options.slug);
      if (!entry) return fail("not_found", `No project named "${options.slug}". See the list with: planbot projects list`, { details: { slug: options.slug } });
      if (probe.inspect(entry.pid ?? null).alive) {
        return { ok: true, runs: [{ slug: entry.name, outcome: "skipped", message: `skipped: already running (PID ${entry.pid})`, pid: entry.pid! }] };
      }
      if ((entry.status ?? "").toLowerCase() !== "approved") {
        return fail("invalid_state", `"${entry.name}" is ${entry.status ?? "without a status"}, not approved: approve it first (planbot projects approve ${entry.name}).`, {
          details: { slug: entry.name, status: entry.status },
        });
      }
      candidates = [entry];
    } else {
      candidates = [];
      for (const entry of approvedInOrder(read.file.projects ?? [])) {
        if (probe.inspect(entry.pid ?? null).alive) runs.push({ slug: entry.name, outcome: "skipped", message: `skipped: already running (PID ${entry.pid})`, pid: entry.pid! });
        else candidates.push(entry);
      }
    }
    if (options.dryRun) {
      for (const entry of candidates) {
        const planned = planRun(entry, deps.config, cwd);
        runs.push(
          planned.ok
            ? { slug: entry.name, outcome: "dry-run", message: `would run: ${describePlan(planned.plan)}`, plan: planned.plan }
            : { slug: entry.name, outcome: "failed", message: `would fail: ${planned.message}`, error: planned.message },
        );
      }
      return { ok: true, runs };
    }
    if (closed) return fail("execute_failed", "The executor is stopped.");
    const batch = track(runBatch(candidates));
    runs.push(...(await keepingAlive(batch)));
    return { ok: true, runs };
  }

  async function runNow(slug: string): Promise<Result<{ message: string }>> {
    const problem = validateSlug(slug);
    if (problem) return fail("invalid_slug", problem);
    const read = await deps.store.read();
    if (!read.ok) return read;
    const entry = findProject(read.file, slug);
    if (!entry) return fail("not_found", `No project named "${slug}". See the list with /status.`, { details: { slug } });
    const starting = track(start(entry.name));
    const started = await starting;
    if (started.kind === "ended") {
      if (started.failure) return started.failure;
      if (started.report.outcome === "skipped") return fail("invalid_state", started.report.message.replace(/^skipped: /, ""));
      return fail("execute_failed", `${entry.name}: ${started.report.error ?? started.report.message}`);
    }
    const { run, summary } = started;
    return {
      ok: true,
      message: `Started Ralph for ${run.slug} (PID ${run.ralph.pid}) on branch ${run.plan.branch}${run.plan.remoteUrl ? ` of ${redactUrl(run.plan.remoteUrl)}` : ""}: ${summary}. You will hear when it finishes.`,
    };
  }

  async function reconcileFinishedRuns(): Promise<Result<{ recorded: RunReport[] }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    const ours = new Set([...active.values()].map((run) => run.ralph.pid));
    const recorded: RunReport[] = [];
    for (const entry of read.file.projects ?? []) {
      const pid = entry.pid;
      if (typeof pid === "number") {
        if (ours.has(pid) || probe.inspect(pid).alive) continue;
        const paths = workspacePaths(deps.config.workspaceDir, entry.name);
        const logPath = newestRalphLog(paths.logs);
        const verdict = judgeRun({ prd: readPrd(paths.prd), exitCode: null, tail: logPath ? await readLogTail(logPath) : undefined });
        const stored = await deps.lifecycle.update(entry.name, (current) => {
          if (current.pid !== pid || probe.inspect(pid).alive) return fail("stale", "changed meanwhile");
          current.pid = null;
          current.status = verdict.status;
          current.error = verdict.error;
          current.finished_at = now();
        });
        if (!stored.ok) continue;
        await removePidFile(paths.pidFile, pid);
        const report: RunReport = { slug: entry.name, outcome: verdict.status, message: `${verdict.summary} (ended while planbot was not watching)`, pid, exitCode: null, ...(logPath ? { logPath } : {}), ...(verdict.error ? { error: verdict.error } : {}) };
        deps.log.info({ slug: entry.name, pid, status: verdict.status }, `${entry.name}: recorded the outcome of an unwatched Ralph run: ${verdict.summary}`);
        recorded.push(report);
        deps.onFinished?.(report);
      }
      const claim = readClaim(entry);
      if (claim && !probe.inspect(claim.pid).alive) {
        // A planbot died while preparing this project: it is still approved; drop the stale claim.
        await deps.lifecycle.update(entry.name, (current) => {
          const held = readClaim(current);
          if (!held || held.token !== claim.token) return fail("stale", "changed meanwhile");
          setClaim(current, undefined);
        });
      }
    }
    return { ok: true, recorded };
  }

  async function waitForIdle(): Promise<void> {
    await keepingAlive(
      (async () => {
        while (pending.size > 0) await Promise.allSettled([...pending]);
      })(),
    );
  }

  return {
    runOnce,
    runNow,
    reconcileFinishedRuns,
    waitForIdle,
    async stop() {
      closed = true;
      killing = true;
      // Preparations in flight see `closed` and hand their project back; a run whose launch is completing
      // right now sees `killing` as soon as it is registered.
      for (const run of active.values()) terminate(run);
      await waitForIdle();
    },
    async close() {
      closed = true;
      detaching = true;
      for (const run of [...active.values()]) detach(run);
      await waitForIdle();
    },
  };
}

/** Approved entries, oldest approval first (entries without approved_at last, then by name). */
export function approvedInOrder(entries: readonly ProjectEntry[]): ProjectEntry[] {
  return entries
    .filter((entry) => (entry.status ?? "").toLowerCase() === "approved" && entry.name)
    .map((entry, index) => ({ entry, index, at: Date.parse(entry.approved_at ?? "") }))
    .sort((a, b) => {
      const aHas = Number.isFinite(a.at);
      const bHas = Number.isFinite(b.at);
      if (aHas !== bHas) return aHas ? -1 : 1;
      if (aHas && a.at !== b.at) return a.at - b.at;
      return a.index - b.index;
    })
    .map(({ entry }) => entry);
}

/** The environment Ralph gets: planbot's own secrets removed (Ralph's agent runs arbitrary commands). */
export function ralphEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ["DISCORD_TOKEN", "TELEGRAM_TOKEN", "DASHBOARD_TOKEN"]) delete copy[name];
  return copy;
}

function newestRalphLog(logsDir: string): string | undefined {
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
