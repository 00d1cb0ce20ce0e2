import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Result } from "../projects/result.ts";
import type { RunProgress, RunProgressListener, StopReason } from "./run-progress.ts";

/** Dependencies of {@link createRunGuard}. */
export interface RunGuardDeps {
  /** The executor (local or queue): whoever can stop the run. */
  stopper: { stopRun?(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>> };
  /** RALPH_MAX_MINUTES: a run is stopped once it ran this long; null = no cap. */
  maxMinutes: number | null;
  /** RALPH_STALL_MINUTES: a run with no activity for this long gets a stall notice; null = never. */
  stallMinutes: number | null;
  clock: Clock;
  log: Logger;
  /** Tells the chats a run stalled (once per stall: activity again, then another quiet spell, is a new stall). */
  onStall: (progress: RunProgress, quietMinutes: number) => void;
}

/** What the guard remembers of one run. */
interface Watch {
  runId: string;
  stopRequested: boolean;
  stalled: boolean;
}

/**
 * The run guard (README, "Run guardrails"), executor-agnostic: it reads the progress stream (local samples
 * or a remote worker's) and acts through the executor's `stopRun`. The wall-time cap counts from the run's
 * start; a stall counts from `lastActivityAt` (prd.json or Ralph's log last changed).
 */
export function createRunGuard(deps: RunGuardDeps): RunProgressListener {
  const watches = new Map<string, Watch>();
  return (progress) => {
    const key = progress.slug.toLowerCase();
    let watch = watches.get(key);
    if (!watch || watch.runId !== progress.runId) {
      watch = { runId: progress.runId, stopRequested: false, stalled: false };
      watches.set(key, watch);
    }
    const now = deps.clock.now().getTime();
    const ranMs = now - Date.parse(progress.startedAt);
    if (deps.maxMinutes !== null && !watch.stopRequested && ranMs >= deps.maxMinutes * 60_000) {
      watch.stopRequested = true;
      const stop = deps.stopper.stopRun;
      if (!stop) {
        deps.log.warn(
          { slug: progress.slug },
          `${progress.slug}: over RALPH_MAX_MINUTES, but this executor cannot stop runs`,
        );
      } else {
        deps.log.warn(
          { slug: progress.slug, minutes: Math.round(ranMs / 60_000) },
          `${progress.slug}: ran longer than RALPH_MAX_MINUTES=${deps.maxMinutes}; stopping it`,
        );
        void stop
          .call(deps.stopper, progress.slug, "time_limit")
          .then((result) => {
            if (!result.ok)
              deps.log.error({ slug: progress.slug, err: result.message }, "stopping a run over its time failed");
          })
          .catch((error: unknown) =>
            deps.log.error({ slug: progress.slug, err: error }, "stopping a run over its time failed"),
          );
      }
    }
    if (deps.stallMinutes === null) return;
    const quietMs = now - Date.parse(progress.lastActivityAt);
    if (quietMs < deps.stallMinutes * 60_000) {
      watch.stalled = false;
    } else if (!watch.stalled && !watch.stopRequested) {
      watch.stalled = true;
      deps.log.warn(
        { slug: progress.slug, quietMinutes: Math.floor(quietMs / 60_000) },
        `${progress.slug}: run stalled`,
      );
      deps.onStall(progress, quietMs / 60_000);
    }
  };
}
