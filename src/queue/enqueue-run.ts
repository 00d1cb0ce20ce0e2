import { readFile } from "node:fs/promises";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";
import type { Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { withTimeout } from "./bounded-wait.ts";
import { queueUnreachable } from "./queue-unreachable.ts";
import { runJobId, type RunJobData } from "./run-job.ts";
import type { RunRecorder } from "./run-record.ts";

/** What {@link createEnqueuer} needs: the queue and its connection, the store's recorder, the plan files. */
export interface EnqueueDeps {
  queue: Queue<RunJobData>;
  connection: Redis;
  recorder: RunRecorder;
  probe: ProcessProbe;
  clock: Clock;
  log: Logger;
  workspaceDir: string;
  /** The queue's URL without its password, for messages. */
  where: string;
  /** How long each Redis call may take before the queue counts as unreachable. */
  timeoutMs: number;
}

/** A run put on the queue: its job, the claimed entry, and how many runs wait before it. */
export type Enqueued = Result<{ jobId: string; entry: ProjectEntry; ahead: number }>;

/** Puts runs on the queue; knows which jobs it is adding right now (they are not lost, just not there yet). */
export interface Enqueuer {
  /** Claims the project in the store and adds its job; the claim is taken back when Redis refuses. */
  /** Queues a run of `slug`; `asked`: a person asked for it (`/run`), not the schedule. */
  enqueue(slug: string, asked?: boolean): Promise<Enqueued>;
  isAdding(jobId: string): boolean;
}

/** Creates the enqueuer: a job carries the plan files, so a worker needs nothing from this machine's disk. */
export function createEnqueuer(deps: EnqueueDeps): Enqueuer {
  const adding = new Set<string>();
  const unreachable = (why: string) => queueUnreachable(deps.where, why, "the run was not queued");

  async function enqueue(slug: string, asked = false): Promise<Enqueued> {
    const { connection, queue, recorder, timeoutMs } = deps;
    if (!(await readySoon(connection, timeoutMs))) return unreachable(`connection ${connection.status}`);
    const at = deps.clock.now();
    const jobId = runJobId(slug.toLowerCase(), at);
    const claimed = await recorder.queued(
      slug,
      jobId,
      at.toISOString(),
      (entry) => deps.probe.inspect(entry.pid ?? null).alive,
      asked,
    );
    if (!claimed.ok) return claimed;
    const entry = claimed.entry;
    const data = await jobData(entry, deps.workspaceDir, at);
    adding.add(jobId);
    try {
      const added = queue.add("ralph-run", data, {
        jobId,
        attempts: 1,
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
      await withTimeout(added, timeoutMs);
      const ahead = await withTimeout(queue.getWaitingCount(), timeoutMs).catch(() => 1);
      deps.log.info({ slug: entry.name, jobId }, `${entry.name}: queued for a worker`);
      return { ok: true, jobId, entry, ahead: Math.max(0, ahead - 1) };
    } catch (error) {
      await recorder.unqueued(entry.name, jobId);
      return unreachable((error as Error).message);
    } finally {
      adding.delete(jobId);
    }
  }

  return { enqueue, isAdding: (jobId) => adding.has(jobId) };
}

/** The job of one run: the project's repository and branches, and its final plan and prd.json as text. */
async function jobData(entry: ProjectEntry, workspaceDir: string, at: Date): Promise<RunJobData> {
  const paths = workspacePaths(workspaceDir, entry.name);
  return {
    slug: entry.name,
    repo: entry.repo?.trim() || entry.name,
    branch: entry.branch?.trim() || null,
    base: entry.base_branch?.trim() || "main",
    finalPlan: await readFile(paths.finalPlan, "utf8").catch(() => null),
    prd: await readFile(paths.prd, "utf8").catch(() => null),
    queuedAt: at.toISOString(),
  };
}

/** What `/run` answers once the run is queued: the project, its branch, and how many runs wait before it. */
export function queuedMessage(entry: ProjectEntry, ahead: number): string {
  const branch = entry.branch?.trim() || "its branch";
  const after = ahead > 0 ? ` after ${ahead} waiting run${ahead === 1 ? "" : "s"}` : " next";
  return `Queued Ralph for ${entry.name} (${branch}) on the job queue: a planbot worker picks it up${after}. You will hear when it finishes.`;
}

/** Connection states of a first connect still under way (a planbot that just started); not a reconnect. */
const FIRST_CONNECT = new Set(["wait", "connecting", "connect"]);

/**
 * True when the connection is ready, or becomes ready within `ms` while its first connect is still under
 * way: a `/run` right after start-up waits for the handshake instead of calling Redis unreachable. A
 * connection that lost Redis (reconnecting, closed) answers false at once.
 */
async function readySoon(connection: Redis, ms: number): Promise<boolean> {
  if (connection.status === "ready") return true;
  if (!FIRST_CONNECT.has(connection.status)) return false;
  let onReady: (() => void) | undefined;
  const ready = new Promise<boolean>((resolve) => {
    onReady = () => resolve(true);
    connection.once("ready", onReady);
  });
  try {
    return await withTimeout(ready, ms).catch(() => false);
  } finally {
    connection.off("ready", onReady!);
  }
}
