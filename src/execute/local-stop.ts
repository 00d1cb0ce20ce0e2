import type { Logger } from "../log.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import { validateSlug } from "../projects/validation.ts";
import type { ActiveRuns } from "./active-runs.ts";
import { keepingAlive } from "./keep-alive.ts";
import { readProject } from "./project-lookup.ts";
import type { RunContext } from "./run-outcome.ts";
import type { RunStopper, StopReason } from "./run-progress.ts";
import { stopReasonText, stopUnwatched } from "./stop-run.ts";

/** What {@link createLocalStopper} needs: the executor's runs, its store and how long SIGTERM may take. */
export interface LocalStopperDeps {
  ctx: RunContext;
  runs: ActiveRuns;
  store: ProjectStore;
  log: Logger;
  graceMs: number;
  /** RALPH_MAX_MINUTES, named in the error of a run stopped for running too long. */
  maxMinutes?: number | null | undefined;
}

/** The local executor's {@link RunStopper}, plus the PIDs it is stopping that reconciling must leave alone. */
export interface LocalStopper extends RunStopper {
  /** Whether `pid` is the run of an earlier planbot process being stopped right now. */
  isStopping(pid: number): boolean;
}

/**
 * Stops a project's local run — one this executor watches, or one an earlier planbot started — and waits
 * until its outcome is recorded. A second call for a project being stopped waits for the first.
 */
export function createLocalStopper(deps: LocalStopperDeps): LocalStopper {
  const stops = new Map<string, Promise<Result<{ stopped: boolean }>>>();
  const stopping = new Set<number>();

  async function stopOne(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>> {
    const found = await readProject(deps.store, slug);
    if (!found.ok) return found;
    const { entry } = found;
    const text = stopReasonText(reason, deps.maxMinutes);
    const run = deps.runs.get(entry.name);
    if (run) {
      run.stopReason = text;
      deps.runs.terminate(run);
      deps.log.info({ slug: entry.name, pid: run.ralph.pid, reason }, `${entry.name}: stopping Ralph: ${text}`);
      const report = await keepingAlive(run.done);
      return { ok: true, stopped: report.outcome !== "detached" };
    }
    const pid = entry.pid;
    if (typeof pid !== "number") return { ok: true, stopped: false };
    stopping.add(pid);
    try {
      const stopped = await keepingAlive(stopUnwatched(deps.ctx, entry.name, pid, text, deps.graceMs));
      if (!stopped.ok) return stopped;
      return { ok: true, stopped: stopped.report !== null };
    } finally {
      stopping.delete(pid);
    }
  }

  return {
    stopRun(slug, reason) {
      const problem = validateSlug(slug);
      if (problem) return Promise.resolve(fail("invalid_slug", problem));
      const key = slug.toLowerCase();
      const inFlight = stops.get(key);
      if (inFlight) return inFlight;
      const work = deps.runs.track(stopOne(slug, reason)).finally(() => stops.delete(key));
      stops.set(key, work);
      return work;
    },
    isStopping: (pid) => stopping.has(pid),
  };
}
