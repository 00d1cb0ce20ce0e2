import { notApprovedFailure } from "./not-runnable.ts";
import type { ExecutorPort } from "./executor-port.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { procProbe, type ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectLister } from "../projects/project-list.ts";
import { findProject, type ProjectStore } from "../projects/project-store.ts";
import { fail, type Failure, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { validateSlug } from "../projects/validation.ts";
import { launchRun, type LaunchContext } from "./launch-run.ts";
import type { RalphProcess } from "./ralph-process.ts";
import { redactUrl } from "./remote-url.ts";
import { reconcileUnwatched, recordExit, type RunReport } from "./run-outcome.ts";
import { dryRun } from "./dry-run.ts";
import { currentHost, type HostFacts } from "./preflight.ts";
import type { ExecutorConfig, RunPlan } from "./run-plan.ts";
import type { RunStopper, StopReason } from "./run-progress.ts";
import { stopReasonText, stopUnwatched } from "./stop-run.ts";

// One project's run lives in launch-run.ts (claim, prepare, launch) and run-outcome.ts (recording how it
// ended); this file decides which runs start, in what order and how many at once, and watches them.
// Names callers import from here stay importable from here.
export { ralphEnv } from "./launch-run.ts";
export type { RunOutcome, RunReport } from "./run-outcome.ts";

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
  /** What follows each recorded outcome before `onFinished` (delivery), wired by the runtime; absent: nothing. */
  afterRecorded?: LaunchContext["afterRecorded"];
  /** Grace between SIGTERM and SIGKILL when {@link Executor.stop} kills runs (default 3000 ms). */
  killGraceMs?: number;
  /** The machine's uid and whether it is a container, for the preflight's root check (default: this one). */
  host?: HostFacts;
  /** RALPH_MAX_MINUTES, named in the error of a run stopped for running too long. */
  maxMinutes?: number | null;
}

/** The Ralph executor ("night-execute"). */
export interface Executor extends ExecutorPort, Partial<RunStopper> {
  /**
   * Runs every approved project (or just `slug`) in approval order, `config.execute.parallel` at a time,
   * and resolves when the runs it started have ended. `dryRun` only reports what would be done.
   */
  runOnce(options?: {
    slug?: string | undefined;
    dryRun?: boolean | undefined;
  }): Promise<Result<{ runs: RunReport[] }>>;
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

/** A run this executor launched and watches until Ralph exits or it is detached. */
interface ActiveRun {
  slug: string;
  plan: RunPlan;
  ralph: RalphProcess;
  stopping: boolean;
  /** Why {@link Executor.stopRun} stopped it (recorded as the error's first words). */
  stopReason?: string;
  detached: boolean;
  settle(report: RunReport): void;
  done: Promise<RunReport>;
}

/** What {@link createExecutor}'s start gives back: a watched run, or a report of why none began. */
type Started =
  | { kind: "started"; run: ActiveRun; summary: string }
  | { kind: "ended"; report: RunReport; failure?: Failure };

/**
 * Creates the executor. The store is the only state shared with other planbot processes (launchRun claims
 * a project under its lock); what this one has launched, is preparing or is waiting on is kept here.
 */
export function createExecutor(deps: ExecutorDeps): Executor {
  const probe = deps.probe ?? procProbe;
  const graceMs = deps.killGraceMs ?? 3000;
  const now = () => deps.clock.now().toISOString();
  const active = new Map<string, ActiveRun>();
  const preparing = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  /** stopRun calls in flight by project: a second call waits for the first instead of stopping twice. */
  const stops = new Map<string, Promise<Result<{ stopped: boolean }>>>();
  /** PIDs of runs of earlier planbot processes being stopped: reconciling leaves them to stopRun. */
  const stoppingPids = new Set<number>();
  let closed = false;
  let killing = false;
  let detaching = false;
  const ctx: LaunchContext = {
    lifecycle: deps.lifecycle,
    config: deps.config,
    log: deps.log,
    probe,
    now,
    onFinished: (report) => deps.onFinished?.(report),
    afterRecorded: deps.afterRecorded,
    env: deps.env ?? process.env,
    cwd: deps.cwd ?? process.cwd(),
    isClosed: () => closed,
    host: deps.host ?? currentHost(),
  };

  /** Stops watching a run (it keeps running); its outcome is left to reconcileFinishedRuns. */
  function detach(run: ActiveRun): void {
    run.detached = true;
    run.settle({
      slug: run.slug,
      outcome: "detached",
      message: `still running (PID ${run.ralph.pid}); its outcome is recorded when it ends`,
      plan: run.plan,
      pid: run.ralph.pid,
      logPath: run.ralph.logPath,
    });
  }

  /** SIGTERM to the run's process group, SIGKILL after the grace period if it is still there. */
  function terminate(run: ActiveRun): void {
    if (run.stopping) return;
    run.stopping = true;
    run.ralph.kill("SIGTERM");
    const timer = setTimeout(() => run.ralph.kill("SIGKILL"), graceMs);
    void run.done.finally(() => clearTimeout(timer));
  }

  /** Counts `work` toward {@link Executor.waitForIdle} until it settles. */
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

  /** Launches one project unless this executor is stopping or already busy with it, then watches the run. */
  async function start(slug: string): Promise<Started> {
    if (closed)
      return { kind: "ended", report: { slug, outcome: "skipped", message: "skipped: the executor is stopping" } };
    const running = active.get(slug);
    if (running)
      return {
        kind: "ended",
        report: {
          slug,
          outcome: "skipped",
          message: `skipped: already running (PID ${running.ralph.pid})`,
          pid: running.ralph.pid,
        },
      };
    if (preparing.has(slug))
      return {
        kind: "ended",
        report: { slug, outcome: "skipped", message: "skipped: its workspace is being prepared for a run already" },
      };
    preparing.add(slug);
    try {
      const launched = await launchRun(ctx, slug);
      if (launched.kind === "ended") return launched;
      const { name, plan, ralph, logPath, summary } = launched;

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
      void ralph.exited
        .then((exit) => finish(run, exit.exitCode, exit.signal))
        .catch((error: unknown) => {
          deps.log.error({ slug: name, err: error }, "recording Ralph's outcome failed");
          run.settle({
            slug: name,
            outcome: "failed",
            message: `failed: could not record the outcome: ${(error as Error).message}`,
            plan,
            pid: ralph.pid,
          });
        });
      deps.log.info({ slug: name, pid: ralph.pid, logPath }, `${name}: Ralph started (PID ${ralph.pid})`);
      return { kind: "started", run, summary };
    } finally {
      preparing.delete(slug);
    }
  }

  /** Records a watched run's end — unless it was detached, whose outcome reconcileFinishedRuns records. */
  async function finish(run: ActiveRun, exitCode: number | null, signal: string | null): Promise<void> {
    if (run.detached) return;
    const { report, recorded } = await recordExit(ctx, run, exitCode, signal);
    run.settle(report);
    if (recorded) deps.onFinished?.(report);
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

  async function runOnce(
    options: { slug?: string | undefined; dryRun?: boolean | undefined } = {},
  ): Promise<Result<{ runs: RunReport[] }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    const runs: RunReport[] = [];
    let candidates: ProjectEntry[];
    if (options.slug !== undefined) {
      const problem = validateSlug(options.slug);
      if (problem) return fail("invalid_slug", problem);
      const entry = findProject(read.file, options.slug);
      if (!entry)
        return fail("not_found", `No project named "${options.slug}". See the list with: planbot projects list`, {
          details: { slug: options.slug },
        });
      if (probe.inspect(entry.pid ?? null).alive) {
        return {
          ok: true,
          runs: [
            {
              slug: entry.name,
              outcome: "skipped",
              message: `skipped: already running (PID ${entry.pid})`,
              pid: entry.pid!,
            },
          ],
        };
      }
      if ((entry.status ?? "").toLowerCase() !== "approved") {
        return notApprovedFailure(entry);
      }
      candidates = [entry];
    } else {
      candidates = [];
      for (const entry of approvedInOrder(read.file.projects ?? [])) {
        if (probe.inspect(entry.pid ?? null).alive)
          runs.push({
            slug: entry.name,
            outcome: "skipped",
            message: `skipped: already running (PID ${entry.pid})`,
            pid: entry.pid!,
          });
        else candidates.push(entry);
      }
    }
    if (options.dryRun) {
      for (const entry of candidates) runs.push(await dryRun(ctx, entry));
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
    if (!entry) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
    const starting = track(start(entry.name));
    const started = await starting;
    if (started.kind === "ended") {
      if (started.failure) return started.failure;
      if (started.report.refusal) return started.report.refusal;
      if (started.report.outcome === "skipped")
        return fail("invalid_state", started.report.message.replace(/^skipped: /, ""));
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
    for (const pid of stoppingPids) ours.add(pid);
    return { ok: true, recorded: await reconcileUnwatched(ctx, read.file.projects ?? [], ours) };
  }

  /** Kills the project's run (ours or an earlier planbot's) and waits until its outcome is recorded. */
  async function stopOne(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    const entry = findProject(read.file, slug);
    if (!entry) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
    const text = stopReasonText(reason, deps.maxMinutes);
    const run = active.get(entry.name);
    if (run) {
      run.stopReason = text;
      terminate(run);
      deps.log.info({ slug: entry.name, pid: run.ralph.pid, reason }, `${entry.name}: stopping Ralph: ${text}`);
      const report = await keepingAlive(run.done);
      return { ok: true, stopped: report.outcome !== "detached" };
    }
    const pid = entry.pid;
    if (typeof pid !== "number") return { ok: true, stopped: false };
    stoppingPids.add(pid);
    try {
      const stopped = await keepingAlive(stopUnwatched(ctx, entry.name, pid, text, graceMs));
      if (!stopped.ok) return stopped;
      return { ok: true, stopped: stopped.report !== null };
    } finally {
      stoppingPids.delete(pid);
    }
  }

  function stopRun(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>> {
    const problem = validateSlug(slug);
    if (problem) return Promise.resolve(fail("invalid_slug", problem));
    const key = slug.toLowerCase();
    const inFlight = stops.get(key);
    if (inFlight) return inFlight;
    const work = track(stopOne(slug, reason)).finally(() => stops.delete(key));
    stops.set(key, work);
    return work;
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
    stopRun,
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
