import type { RunProgress, RunProgressListener } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { type QueueRun, readQueueRun } from "./queue-run.ts";
import { type ShownSample, toRunProgress } from "./remote-progress.ts";

/** The remote-run heartbeat; close() stops it. */
export interface RemoteHeartbeat {
  /** One pass now (what the timer does); resolves with what was published. */
  beat(): Promise<RunProgress[]>;
  close(): Promise<void>;
}

/**
 * Publishes every running remote run's last recorded progress every `intervalMs`, as the local sampler
 * does for local runs. A worker sends a sample only when something changed, so a silent run — the one a
 * stall notice is for — would otherwise never reach the run guard, nor its wall-time cap. Read from the
 * store, so runs recorded by an earlier planbot process are covered after a restart too.
 */
export function startRemoteHeartbeat(deps: {
  store: ProjectStore;
  intervalMs: number;
  listener: RunProgressListener;
  log: Logger;
}): RemoteHeartbeat {
  let beating: Promise<RunProgress[]> | undefined;
  const beat = async (): Promise<RunProgress[]> => {
    const read = await deps.store.read();
    if (!read.ok) return [];
    const published: RunProgress[] = [];
    for (const entry of read.file.projects ?? []) {
      const progress = storedRunProgress(entry);
      if (!progress) continue;
      try {
        deps.listener(progress);
        published.push(progress);
      } catch (error) {
        deps.log.warn({ slug: entry.name, err: error }, "a progress listener threw");
      }
    }
    return published;
  };
  const timer = setInterval(() => {
    if (beating) return;
    beating = beat()
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, "publishing remote runs' progress failed");
        return [];
      })
      .finally(() => (beating = undefined));
  }, deps.intervalMs);
  timer.unref();
  return {
    beat,
    async close() {
      clearInterval(timer);
      await beating;
    },
  };
}

/**
 * The last recorded progress of an entry's remote run, for publishing again while the worker is silent
 * (see remote-heartbeat.ts); undefined when the entry has no running remote run with recorded progress.
 */
export function storedRunProgress(entry: ProjectEntry): RunProgress | undefined {
  const run = readQueueRun(entry);
  const progress = run?.progress;
  // A run whose worker stopped answering waits for another worker: nothing runs it, nothing to guard.
  if (run?.state !== "running" || !run.worker || !progress || !run.started_at || !progress.last_activity_at)
    return undefined;
  const times = { startedAt: run.started_at, lastActivityAt: progress.last_activity_at };
  return toRunProgress(entry.name, recordedSample(run.worker, progress), times);
}

/** The sample a run's recorded progress was stored from (see recordProgress), as far as progress shows it. */
function recordedSample(worker: string, progress: NonNullable<QueueRun["progress"]>): ShownSample {
  return {
    worker,
    startedAt: progress.run_id ?? undefined,
    storiesDone: progress.stories_done,
    storiesTotal: progress.stories_total,
    currentStory: progress.current_story,
    iteration: progress.iteration,
    maxIterations: progress.max_iterations,
    lastCommit: progress.last_commit,
    commits: progress.commits,
  };
}
