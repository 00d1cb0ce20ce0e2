import type { RunProgress } from "../execute/run-progress.ts";
import type { RunJobProgress } from "./run-job.ts";

/**
 * The times of a remote run on the bot's clock: when the bot recorded its start and when a sample last
 * brought new activity. The run guard compares them with the bot's own clock (stall notice, wall-time
 * cap), so a worker whose clock is off neither hides a stall nor raises a false one.
 */
export interface RemoteRunTimes {
  startedAt: string;
  lastActivityAt: string;
}

/**
 * What of a worker's progress sample a {@link RunProgress} shows: also what the bot keeps of it on the
 * entry, so a run's recorded progress can be published again (see remote-heartbeat.ts).
 */
export type ShownSample = Pick<
  RunJobProgress,
  | "worker"
  | "startedAt"
  | "storiesDone"
  | "storiesTotal"
  | "currentStory"
  | "iteration"
  | "maxIterations"
  | "lastCommit"
  | "commits"
>;

/**
 * A worker's progress sample (as received, or as recorded) as the chats see any run's progress. The run
 * id is the time the worker began the run (its own clock, used only as an id), so a restarted bot goes on
 * with the same run (and the same progress messages); a sample from a worker older than that field falls
 * back to the bot's start time.
 * Elapsed time and activity come from `times`, the bot's clock. The cost is not known on a worker
 * (Ralph's agent reports none it keeps), so it is null.
 */
export function toRunProgress(slug: string, sample: ShownSample, times: RemoteRunTimes): RunProgress {
  return {
    slug,
    runId: sample.startedAt ?? times.startedAt,
    startedAt: times.startedAt,
    storiesDone: sample.storiesDone,
    storiesTotal: sample.storiesTotal,
    currentStory: sample.currentStory ?? null,
    iteration: sample.iteration,
    maxIterations: sample.maxIterations ?? null,
    lastCommit: sample.lastCommit ?? null,
    commits: sample.commits,
    costUsd: null,
    worker: sample.worker,
    lastActivityAt: times.lastActivityAt,
  };
}
