import { pullRequestForRemoteRun } from "../deliver/deliver-run.ts";
import type { ExecutorConfig } from "../execute/run-plan.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { findProject, type ProjectStore } from "../projects/project-store.ts";
import type { RunJobResult } from "./run-job.ts";
import { isOpen, readQueueRun } from "./queue-run.ts";

/**
 * The bot's half of delivering a remote run: the worker pushed the branch (PUSH_ON), this machine opens or
 * updates the draft pull request with its GITHUB_TOKEN before the outcome is recorded, so the entry gets
 * `delivery` and `pull_request` in one step and the chats hear one delivery notice with the link.
 */
export function remotePullRequestStep(deps: {
  store: ProjectStore;
  lifecycle: Lifecycle;
  config: ExecutorConfig;
  clock: Clock;
  log: Logger;
}): (slug: string, jobId: string, result: RunJobResult) => Promise<RunJobResult> {
  return async (slug, jobId, result) => {
    if (!result.delivery?.pushed || !deps.config.execute.delivery?.github.token || result.outcome === "cancelled")
      return result;
    const read = await deps.store.read();
    const entry = read.ok ? findProject(read.file, slug) : undefined;
    const run = readQueueRun(entry);
    if (!entry || !isOpen(run) || run.job_id !== jobId) return result;
    const pr = await pullRequestForRemoteRun(
      { lifecycle: deps.lifecycle, config: deps.config, log: deps.log, now: () => deps.clock.now().toISOString() },
      { ...entry, branch: result.branch ?? entry.branch ?? null },
      result.outcome,
      result.delivery,
    );
    if (!pr) return result;
    deps.log.info({ slug: entry.name, jobId, pullRequest: pr.pullRequest?.url }, `${entry.name}: ${pr.summary}`);
    return {
      ...result,
      delivery: {
        ok: pr.ok,
        pushed: true,
        summary: pr.summary,
        hint: pr.hint,
        ...(pr.hintOperator ? { hintOperator: true } : {}),
        ...(pr.split ? { split: pr.split } : {}),
        ...(pr.pullRequest ? { pullRequest: { url: pr.pullRequest.url, number: pr.pullRequest.number } } : {}),
      },
    };
  };
}
