import type { RunProgress } from "../execute/run-progress.ts";
import type { RunJobProgress } from "./run-job.ts";

/**
 * A worker's progress sample as the chats see any run's progress. The run id is the time the worker
 * began the run, so a restarted bot goes on with the same run (and the same progress messages); a sample
 * from a worker older than these fields falls back to `receivedAt`. The cost is not known on a worker
 * (Ralph's agent reports none it keeps), so it is null.
 */
export function toRunProgress(slug: string, sample: RunJobProgress, receivedAt: string): RunProgress {
  const startedAt = sample.startedAt ?? receivedAt;
  return {
    slug,
    runId: startedAt,
    startedAt,
    storiesDone: sample.storiesDone,
    storiesTotal: sample.storiesTotal,
    currentStory: sample.currentStory ?? null,
    iteration: sample.iteration,
    maxIterations: sample.maxIterations ?? null,
    lastCommit: sample.lastCommit ?? null,
    commits: sample.commits,
    costUsd: null,
    worker: sample.worker,
    lastActivityAt: sample.lastActivityAt ?? receivedAt,
  };
}
