import type { Failure } from "../projects/result.ts";
import { launchRun, type LaunchContext } from "./launch-run.ts";
import type { RalphProcess } from "./ralph-process.ts";
import { recordExit, type RunReport, type WatchedRun } from "./run-outcome.ts";
import type { RunPlan } from "./run-plan.ts";

/** A run this executor launched and watches until Ralph exits or it is detached. */
export interface ActiveRun extends WatchedRun {
  stopping: boolean;
  /** Why the run was stopped (recorded as the error's first words). */
  stopReason?: string;
  detached: boolean;
  settle(report: RunReport): void;
  done: Promise<RunReport>;
}

/** What {@link ActiveRuns.start} gives back: a watched run, or a report of why none began. */
export type Started =
  | { kind: "started"; run: ActiveRun; summary: string }
  | { kind: "ended"; report: RunReport; failure?: Failure };

/**
 * The runs one executor launched, is preparing or is waiting on — the only run state kept in memory (the
 * store is what other planbot processes share). Closing is read from `ctx.isClosed()`; once
 * {@link ActiveRuns.killAll} or {@link ActiveRuns.detachAll} was called, a launch completing afterwards is
 * killed or detached as soon as it is registered.
 */
export interface ActiveRuns {
  /** Launches one project unless closed or already busy with it, then watches the run; `asked`: by `/run`. */
  start(slug: string, asked?: boolean): Promise<Started>;
  /** The watched run of a project (by its stored name). */
  get(name: string): ActiveRun | undefined;
  /** Whether `pid` is the Ralph of a watched run. */
  watches(pid: number): boolean;
  /** SIGTERM to the run's process group, SIGKILL after the grace period if it is still there. */
  terminate(run: ActiveRun): void;
  /** Counts `work` toward {@link ActiveRuns.waitForIdle} until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Resolves when nothing tracked is pending. */
  waitForIdle(): Promise<void>;
  /** Terminates every watched run, and every run registered from now on. */
  killAll(): void;
  /** Stops watching every run (they keep running), and every run registered from now on. */
  detachAll(): void;
}

/** What {@link createActiveRuns} keeps: the runs watched, the slugs preparing, the work pending. */
interface RunsState {
  ctx: LaunchContext;
  graceMs: number;
  active: Map<string, ActiveRun>;
  preparing: Set<string>;
  pending: Set<Promise<unknown>>;
  /** Set by killAll / detachAll: what happens to a run registered from then on. */
  ending?: "kill" | "detach";
}

/** Creates the set of runs one executor watches; `graceMs` is the SIGTERM → SIGKILL grace. */
export function createActiveRuns(ctx: LaunchContext, graceMs: number): ActiveRuns {
  const state: RunsState = { ctx, graceMs, active: new Map(), preparing: new Set(), pending: new Set() };
  return {
    async start(slug, asked = false) {
      const busy = busyReport(state, slug);
      if (busy) return { kind: "ended", report: busy };
      state.preparing.add(slug);
      try {
        const launched = await launchRun(ctx, slug, asked);
        if (launched.kind === "ended") return launched;
        const { name, plan, ralph, logPath, summary } = launched;
        const run = watch(state, name, plan, ralph);
        ctx.log.info({ slug: name, pid: ralph.pid, logPath }, `${name}: Ralph started (PID ${ralph.pid})`);
        return { kind: "started", run, summary };
      } finally {
        state.preparing.delete(slug);
      }
    },
    get: (name) => state.active.get(name),
    watches: (pid) => [...state.active.values()].some((run) => run.ralph.pid === pid),
    terminate: (run) => terminate(run, graceMs),
    track: (work) => track(state, work),
    async waitForIdle() {
      while (state.pending.size > 0) await Promise.allSettled([...state.pending]);
    },
    killAll() {
      state.ending = "kill";
      for (const run of state.active.values()) terminate(run, graceMs);
    },
    detachAll() {
      state.ending = "detach";
      for (const run of [...state.active.values()]) detach(run);
    },
  };
}

/** Why `slug` cannot start here now (closing, running, preparing), or undefined. */
function busyReport(state: RunsState, slug: string): RunReport | undefined {
  if (state.ctx.isClosed())
    return { slug, outcome: "skipped", message: "skipped: the executor is stopping", skippedBecause: "stopping" };
  const running = state.active.get(slug);
  if (running) return alreadyRunning(slug, running.ralph.pid);
  if (state.preparing.has(slug))
    return {
      slug,
      outcome: "skipped",
      message: "skipped: its workspace is being prepared for a run already",
      skippedBecause: "preparing",
    };
  return undefined;
}

/** Registers a launched Ralph as watched: settles once, leaves the map when it settles, records its exit. */
function watch(state: RunsState, name: string, plan: RunPlan, ralph: RalphProcess): ActiveRun {
  let resolve!: (report: RunReport) => void;
  const done = new Promise<RunReport>((r) => (resolve = r));
  let settled = false;
  const run: ActiveRun = { slug: name, plan, ralph, stopping: false, detached: false, done, settle: () => {} };
  run.settle = (report) => {
    if (settled) return;
    settled = true;
    state.active.delete(name);
    resolve(report);
  };
  state.active.set(name, run);
  track(state, done);
  if (state.ending === "kill") terminate(run, state.graceMs);
  else if (state.ending === "detach") detach(run);
  void ralph.exited
    .then((exit) => finish(state.ctx, run, exit.exitCode, exit.signal))
    .catch((error: unknown) => {
      state.ctx.log.error({ slug: name, err: error }, "recording Ralph's outcome failed");
      run.settle({
        slug: name,
        outcome: "failed",
        message: `failed: could not record the outcome: ${(error as Error).message}`,
        plan,
        pid: ralph.pid,
      });
    });
  return run;
}

/** Records a watched run's end — unless it was detached, whose outcome reconciling records. */
async function finish(ctx: LaunchContext, run: ActiveRun, exitCode: number | null, signal: string | null) {
  if (run.detached) return;
  const { report, recorded } = await recordExit(ctx, run, exitCode, signal);
  run.settle(report);
  if (recorded) ctx.onFinished(report);
}

/** Counts `work` as pending until it settles. */
function track<T>(state: RunsState, work: Promise<T>): Promise<T> {
  state.pending.add(work);
  void work.finally(() => state.pending.delete(work)).catch(() => undefined);
  return work;
}

/** Stops watching a run (it keeps running); its outcome is left to reconciling. */
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

/** SIGTERM to the run's process group, SIGKILL after `graceMs` if it is still there. */
function terminate(run: ActiveRun, graceMs: number): void {
  if (run.stopping) return;
  run.stopping = true;
  run.ralph.kill("SIGTERM");
  const timer = setTimeout(() => run.ralph.kill("SIGKILL"), graceMs);
  void run.done.finally(() => clearTimeout(timer));
}

/** The report of a project whose Ralph is alive already (PID `pid`). */
export function alreadyRunning(slug: string, pid: number): RunReport {
  return { slug, outcome: "skipped", message: `skipped: already running (PID ${pid})`, pid, skippedBecause: "running" };
}
