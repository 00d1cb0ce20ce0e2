import { Job, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { StopReason } from "../execute/run-progress.ts";
import { cancelKey } from "./run-job.ts";

/** Removes a waiting job, or asks the worker of an active one to stop Ralph (it polls the cancel key). */
export async function requestCancel(
  queue: Queue,
  redis: Redis,
  jobId: string,
  reason: StopReason = "cancelled",
): Promise<"removed" | "signalled" | "gone"> {
  const job = await Job.fromId(queue, jobId);
  if (!job) return "gone";
  const state = await job.getState();
  if (state === "waiting" || state === "delayed" || state === "prioritized") {
    try {
      await job.remove();
      return "removed";
    } catch {
      // Taken by a worker meanwhile: signal it below.
    }
  }
  if (state === "completed" || state === "failed") return "gone";
  // The value says why: the worker words the run's outcome from it.
  await redis.set(cancelKey(jobId), reason, "EX", 7 * 24 * 3600);
  return "signalled";
}
