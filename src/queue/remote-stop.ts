import type { StopReason } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import { findProject, type ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import { validateSlug } from "../projects/validation.ts";
import { sleep, withTimeout } from "./bounded-wait.ts";
import type { RunLookup } from "./queued-run-state.ts";
import { queueUnreachable } from "./queue-unreachable.ts";
import { requestCancel } from "./run-cancel.ts";
import type { RunEventConsumer } from "./run-events.ts";
import { cancelledResult } from "./run-results.ts";
import { isOpen, readQueueRun } from "./queue-run.ts";
import type { RunWaiters } from "./run-waiters.ts";

/** What {@link stopRemoteRun} needs: the queue, the store, and who hears the run end. */
export interface RemoteStopDeps {
  store: ProjectStore;
  lookup: RunLookup;
  events: RunEventConsumer;
  waiters: RunWaiters;
  log: Logger;
  /** The queue's URL without its password, for messages. */
  where: string;
  /** How long the cancel request may take. */
  timeoutMs: number;
  /** How long to wait for the worker to report the stopped run. */
  waitMs: number;
  /** Records runs whose job is gone from Redis. */
  reconcile(): Promise<unknown>;
}

/**
 * Stops a project's remote run: a waiting job is removed, a running one's worker is asked (the cancel key
 * it polls) to stop Ralph's process group. Resolves once the outcome is recorded — or, when the worker
 * does not answer (dead, cut off), says so: its job lock then expires and the run is failed.
 */
export async function stopRemoteRun(
  deps: RemoteStopDeps,
  slug: string,
  reason: StopReason,
): Promise<Result<{ stopped: boolean }>> {
  const problem = validateSlug(slug);
  if (problem) return fail("invalid_slug", problem);
  const read = await deps.store.read();
  if (!read.ok) return read;
  const entry = findProject(read.file, slug);
  const run = readQueueRun(entry);
  if (!entry || !isOpen(run)) return { ok: true, stopped: false };
  let asked: Awaited<ReturnType<typeof requestCancel>>;
  try {
    const { queue, connection } = deps.lookup;
    asked = await withTimeout(requestCancel(queue, connection, run.job_id, reason), deps.timeoutMs);
  } catch (error) {
    const consequence = `the worker running "${entry.name}" could not be told to stop`;
    return queueUnreachable(deps.where, (error as Error).message, consequence, { slug: entry.name });
  }
  // Registered once the request is out (a failed request leaves no waiter behind); the worker answers
  // at its next look at the cancel key, never within the same tick.
  const ended = deps.waiters.awaitEnd(run.job_id);
  if (asked === "removed") void deps.events.finish(run.job_id, cancelledResult("cancelled before a worker took it"));
  else if (asked === "gone") void deps.reconcile();
  const answer = await Promise.race([ended, sleep(deps.waitMs).then(() => undefined)]);
  if (!answer)
    return fail(
      "execute_failed",
      `Asked the worker running "${entry.name}" to stop, but it has not answered within ${Math.round(deps.waitMs / 1000)} s; if it is gone, the run is failed once its job lock expires.`,
      { details: { slug: entry.name, reason: "worker_silent" } },
    );
  deps.log.info({ slug: entry.name, jobId: run.job_id, reason }, `${entry.name}: remote run stopped (${reason})`);
  return { ok: true, stopped: true };
}
