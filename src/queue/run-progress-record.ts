import { createHash } from "node:crypto";
import { fail } from "../projects/result.ts";
import { type QueueRun, readQueueRun, type RunRecordDeps, setQueueRun } from "./queue-run.ts";
import type { RemoteRunTimes } from "./remote-progress.ts";
import { writeRemotePrd } from "./remote-prd.ts";
import type { RunJobProgress } from "./run-job.ts";

/**
 * Stores a progress sample received at `at` on the entry's running run (and the worker's prd.json in this
 * machine's workspace); resolves with the run's times on the bot's clock, or null when the sample is not
 * of the project's current running run.
 */
export async function recordProgress(
  deps: RunRecordDeps,
  slug: string,
  jobId: string,
  sample: RunJobProgress,
  at: string,
): Promise<RemoteRunTimes | null> {
  let times: RemoteRunTimes | null = null;
  const current = await deps.lifecycle.update(slug, (entry) => {
    const run = readQueueRun(entry);
    if (run?.job_id !== jobId || run.state !== "running") return fail("stale", "not this run");
    const activity = activityAt(run.progress, sample, at);
    times = { startedAt: run.started_at ?? at, lastActivityAt: activity.at };
    setQueueRun(entry, {
      ...run,
      worker: sample.worker,
      progress: {
        stories_done: sample.storiesDone,
        stories_total: sample.storiesTotal,
        iteration: sample.iteration,
        commits: sample.commits,
        log_tail: sample.logTail,
        current_story: sample.currentStory ?? null,
        max_iterations: sample.maxIterations ?? null,
        last_commit: sample.lastCommit ?? null,
        last_activity_at: activity.at,
        activity_key: activity.key,
        worker_activity_at: sample.lastActivityAt ?? null,
        run_id: sample.startedAt ?? null,
      },
    });
  });
  if (current.ok) await writeRemotePrd(deps.workspaceDir, slug, sample.prd).catch(() => undefined);
  return current.ok ? times : null;
}

/**
 * When the run was last active, on the bot's clock: `at` (when the bot received the sample) if the sample
 * shows what the stored one did not — a new activity stamp, log output, prd.json, commit or iteration, or
 * another attempt — else the stored time. The worker's clock is never compared with the bot's: its stamp
 * only tells one sample from the next.
 */
function activityAt(stored: QueueRun["progress"], sample: RunJobProgress, at: string): { at: string; key: string } {
  const key = activityKey(sample);
  return { at: stored?.last_activity_at && stored.activity_key === key ? stored.last_activity_at : at, key };
}

/** A digest of what a sample shows of the run's activity (what Ralph changed on the worker). */
function activityKey(sample: RunJobProgress): string {
  const shown = [sample.startedAt, sample.lastActivityAt, sample.logTail, sample.prd, sample.commits, sample.iteration];
  return createHash("sha256").update(JSON.stringify(shown)).digest("base64url").slice(0, 22);
}
