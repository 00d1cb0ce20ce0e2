import { Queue, Worker } from "bullmq";
import { describe, expect, it } from "vitest";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import type { QueueRun } from "../../src/queue/queue-run.ts";
import { redisConnection } from "../../src/queue/queue-settings.ts";
import type { RunJobResult } from "../../src/queue/run-job.ts";
import { endedRunResult, type RunLookup } from "../../src/queue/queued-run-state.ts";
import { startRedis } from "../helpers/redis-server.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

// Real redis-server and BullMQ: a job finishes between the reconcile's two Redis reads of it.
const { defer } = useCleanups();

const workerResult: RunJobResult = {
  outcome: "complete",
  summary: "complete: 2/2 stories pass",
  error: null,
  worker: "box:1",
  exitCode: 0,
  branch: "ralph/alpha",
  prd: null,
  delivery: null,
};

describe("looking up an open queued run", { timeout: 30_000 }, () => {
  it("never records a run that finished while it was being looked up as failed with no outcome", async () => {
    const redis = await startRedis();
    defer(() => redis.stop());
    const connection = redisConnection(redis.url);
    const workerConnection = redisConnection(redis.url);
    const queue = new Queue("lookup-order", { connection });
    const worker = new Worker("lookup-order", undefined, { connection: workerConnection, autorun: false });
    defer(async () => {
      await worker.close();
      await queue.close();
      connection.disconnect();
      workerConnection.disconnect();
    });
    await queue.add("run", { slug: "alpha" }, { jobId: "alpha-1" });
    const token = "worker-token";
    const taken = await worker.getNextJob(token);
    expect(taken?.id).toBe("alpha-1");

    // The worker finishes the job right after the lookup's first Redis answer, before its second call.
    let finished = false;
    const lookup: RunLookup = {
      queue,
      connection,
      async bounded(work) {
        const answer = await work;
        if (!finished) {
          finished = true;
          await taken!.moveToCompleted(workerResult, token, false);
        }
        return answer;
      },
      isAdding: () => false,
    };
    const entry = { name: "alpha", status: "running" } as ProjectEntry;
    const now = new Date().toISOString();
    const run: QueueRun = {
      job_id: "alpha-1",
      state: "running",
      worker: "box:1",
      queued_at: now,
      started_at: now,
      finished_at: null,
      outcome: null,
      error: null,
    };

    // Seen running, it is left to the job's completed event; looked up again, it is the worker's own result.
    expect(await endedRunResult(lookup, entry, run)).toBeUndefined();
    expect(finished).toBe(true);
    expect(await endedRunResult(lookup, entry, run)).toEqual(workerResult);
  });
});
