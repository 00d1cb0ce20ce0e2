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
  /** Launches one project unless closed or already busy with it, then watches the run. */
  start(slug: string): Promise<Started>;
  /** The watched run of a project (by its stored name). */
  get(name: string): ActiveRun | undefined;
  /** PIDs of the watched runs. */
  pids(): Set<number>;
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

/** Creates the set of runs one executor watches; `graceMs` is the SIGTERM → SIGKILL grace. */
export function createActiveRuns(ctx: LaunchContext, graceMs: number): ActiveRuns {
  const active = new Map<string, ActiveRun>();
  const preparing = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  let ending: "kill" | "detach" | undefined;

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

  /** Records a watched run's end — unless it was detached, whose outcome reconciling records. */
  async function finish(run: ActiveRun, exitCode: number | null, signal: string | null): Promise<void> {
    if (run.detached) return;
    const { report, recorded } = await recordExit(ctx, run, exitCode, signal);
    run.settle(report);
    if (recorded) ctx.onFinished(report);
  }

  /** Registers a launched Ralph as watched: settles once, leaves the map when it settles. */
  function watch(name: string, plan: RunPlan, ralph: RalphProcess): ActiveRun {
    let resolve!: (report: RunReport) => void;
    const done = new Promise<RunReport>((r) => (resolve = r));
    let settled = false;
    const run: ActiveRun = { slug: name, plan, ralph, stopping: false, detached: false, done, settle: () => {} };
    run.settle = (report) => {
      if (settled) return;
      settled = true;
      active.delete(name);
      resolve(report);
    };
    active.set(name, run);
    track(done);
    if (ending === "kill") terminate(run);
    else if (ending === "detach") detach(run);
    void ralph.exited
      .then((exit) => finish(run, exit.exitCode, exit.signal))
      .catch((error: unknown) => {
        ctx.log.error({ slug: name, err: error }, "recording Ralph's outcome failed");
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

  async function start(slug: string): Promise<Started> {
    const busy = busyReport(slug);
    if (busy) return { kind: "ended", report: busy };
    preparing.add(slug);
    try {
      const launched = await launchRun(ctx, slug);
      if (launched.kind === "ended") return launched;
      const { name, plan, ralph, logPath, summary } = launched;
      const run = watch(name, plan, ralph);
      ctx.log.info({ slug: name, pid: ralph.pid, logPath }, `${name}: Ralph started (PID ${ralph.pid})`);
      return { kind: "started", run, summary };
    } finally {
      preparing.delete(slug);
    }
  }

  /** Why `slug` cannot start here now (closing, running, preparing), or undefined. */
  function busyReport(slug: string): RunReport | undefined {
    if (ctx.isClosed()) return { slug, outcome: "skipped", message: "skipped: the executor is stopping" };
    const running = active.get(slug);
    if (running) return alreadyRunning(slug, running.ralph.pid);
    if (preparing.has(slug))
      return { slug, outcome: "skipped", message: "skipped: its workspace is being prepared for a run already" };
    return undefined;
  }

  return {
    start,
    get: (name) => active.get(name),
    pids: () => new Set([...active.values()].map((run) => run.ralph.pid)),
    terminate,
    track,
    async waitForIdle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    killAll() {
      ending = "kill";
      for (const run of active.values()) terminate(run);
    },
    detachAll() {
      ending = "detach";
      for (const run of [...active.values()]) detach(run);
    },
  };
}

/** The report of a project whose Ralph is alive already (PID `pid`). */
export function alreadyRunning(slug: string, pid: number): RunReport {
  return { slug, outcome: "skipped", message: `skipped: already running (PID ${pid})`, pid };
}
