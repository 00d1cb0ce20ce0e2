import type { ExecutorPort } from "./executor-port.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { procProbe, type ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectLister } from "../projects/project-list.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import { createActiveRuns, type Started } from "./active-runs.ts";
import type { LaunchContext } from "./launch-run.ts";
import { keepingAlive } from "./keep-alive.ts";
import { createLocalStopper } from "./local-stop.ts";
import { readProject } from "./project-lookup.ts";
import { redactUrl } from "./remote-url.ts";
import { reconcileUnwatched, type RunReport } from "./run-outcome.ts";
import { runBatch } from "./run-batch.ts";
import { selectLocalRuns } from "./run-selection.ts";
import { dryRun } from "./dry-run.ts";
import { currentHost, type HostFacts } from "./preflight.ts";
import type { ExecutorConfig } from "./run-plan.ts";
import type { RunStopper } from "./run-progress.ts";

// One project's run lives in launch-run.ts (claim, prepare, launch) and run-outcome.ts (recording how it
// ended); which runs a pass starts is run-selection.ts, how many at once run-batch.ts, the watched runs
// active-runs.ts and stopping one local-stop.ts. This file wires them into the executor.
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

/**
 * Creates the executor. The store is the only state shared with other planbot processes (launchRun claims
 * a project under its lock); what this one has launched, is preparing or is waiting on is in {@link createActiveRuns}.
 */
export function createExecutor(deps: ExecutorDeps): Executor {
  const probe = deps.probe ?? procProbe;
  const graceMs = deps.killGraceMs ?? 3000;
  let closed = false;
  const ctx: LaunchContext = {
    lifecycle: deps.lifecycle,
    config: deps.config,
    log: deps.log,
    probe,
    now: () => deps.clock.now().toISOString(),
    onFinished: (report) => deps.onFinished?.(report),
    afterRecorded: deps.afterRecorded,
    env: deps.env ?? process.env,
    cwd: deps.cwd ?? process.cwd(),
    isClosed: () => closed,
    host: deps.host ?? currentHost(),
  };
  const runs = createActiveRuns(ctx, graceMs);
  const stopper = createLocalStopper({
    ctx,
    runs,
    store: deps.store,
    log: deps.log,
    graceMs,
    maxMinutes: deps.maxMinutes,
  });
  const waitForIdle = () => keepingAlive(runs.waitForIdle());

  async function runOnce(
    options: { slug?: string | undefined; dryRun?: boolean | undefined } = {},
  ): Promise<Result<{ runs: RunReport[] }>> {
    const selected = await selectLocalRuns(deps.store, probe, options.slug);
    if (!selected.ok) return selected;
    const reports = [...selected.skipped];
    if (options.dryRun) {
      for (const entry of selected.candidates) reports.push(await dryRun(ctx, entry));
      return { ok: true, runs: reports };
    }
    if (closed) return fail("execute_failed", "The executor is stopped.");
    const batch = runs.track(runBatch(runs, selected.candidates, deps.config.execute.parallel, () => closed));
    reports.push(...(await keepingAlive(batch)));
    return { ok: true, runs: reports };
  }

  async function runNow(slug: string): Promise<Result<{ message: string }>> {
    const found = await readProject(deps.store, slug);
    if (!found.ok) return found;
    // Asked: a refusal is the reply itself, so the notifier does not tell the chats again.
    return startedMessage(found.entry.name, await runs.track(runs.start(found.entry.name, true)));
  }

  async function reconcileFinishedRuns(): Promise<Result<{ recorded: RunReport[] }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    // Asked afresh for every PID, never copied: a stop may begin while reconciling awaits another project.
    const isOurs = (pid: number) => runs.watches(pid) || stopper.isStopping(pid);
    return { ok: true, recorded: await reconcileUnwatched(ctx, read.file.projects ?? [], isOurs) };
  }

  return {
    runOnce,
    runNow,
    stopRun: stopper.stopRun,
    reconcileFinishedRuns,
    waitForIdle,
    async stop() {
      closed = true;
      // Preparations in flight see `closed` and hand their project back; a run whose launch is completing
      // right now is killed as soon as it is registered.
      runs.killAll();
      await waitForIdle();
    },
    async close() {
      closed = true;
      runs.detachAll();
      await waitForIdle();
    },
  };
}

/** `/run`'s answer: where Ralph started, or why it did not as a failure the surface words. */
function startedMessage(name: string, started: Started): Result<{ message: string }> {
  if (started.kind === "ended") {
    if (started.failure) return started.failure;
    if (started.report.refusal) return started.report.refusal;
    if (started.report.skippedBecause === "stopping")
      return fail(
        "invalid_state",
        `"${name}" was not started: planbot is stopping. Run it again once planbot is back.`,
        {
          details: { slug: name, reason: "stopping" },
        },
      );
    if (started.report.skippedBecause === "preparing")
      return fail(
        "invalid_state",
        `"${name}" is already starting: Ralph is being prepared for it, and whether it started is said next.`,
        { details: { slug: name, reason: "starting" } },
      );
    if (started.report.outcome === "skipped" && started.report.skippedBecause !== "running")
      // Changed meanwhile (unapproved or cancelled while its workspace was prepared): its own words.
      return fail("invalid_state", `${started.report.message.replace(/^skipped: /, "")}.`, {
        details: { slug: name, reason: "skipped" },
      });
    if (started.report.outcome === "skipped") {
      const running = started.report.pid ? ` (PID ${started.report.pid})` : "";
      // The chat and the CLI word the way forward (its progress, how to stop it): `next: "status"`.
      return fail("invalid_state", `"${name}" is already running${running}.`, {
        details: { slug: name, reason: "running", next: "status" },
      });
    }
    // The details name the way forward (e.g. `next: "edit"`), which the chat's reply words as a command.
    const details = started.report.failure?.details;
    return fail(
      "execute_failed",
      `${name}: ${started.report.error ?? started.report.message}`,
      details ? { details } : {},
    );
  }
  const { run, summary } = started;
  const remote = run.plan.remoteUrl ? ` of ${redactUrl(run.plan.remoteUrl)}` : "";
  return {
    ok: true,
    message: `Started Ralph for ${run.slug} (PID ${run.ralph.pid}) on branch ${run.plan.branch}${remote}: ${summary}. You will hear when it finishes.`,
  };
}
