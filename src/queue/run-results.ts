import type { RunJobResult } from "./run-job.ts";

/** Turns a job that BullMQ failed (a worker lost, or an error thrown by the worker) into a run result. */
export function failedResult(reason: string, worker: string | null): RunJobResult {
  const stalled = /stalled/i.test(reason);
  const error = stalled
    ? `the worker running it stopped answering (killed, crashed or cut off from Redis), so its job lock expired: ${reason}`
    : `the worker failed: ${reason}`;
  return {
    outcome: "failed",
    summary: `failed (${error})`,
    error,
    worker: worker ?? "",
    exitCode: null,
    branch: null,
    prd: null,
    delivery: null,
  };
}

/** The result of a run that ended without a worker's outcome: removed while waiting, or no longer waited for. */
export function cancelledResult(summary: string): RunJobResult {
  return {
    outcome: "cancelled",
    summary,
    error: null,
    worker: "",
    exitCode: null,
    branch: null,
    prd: null,
    delivery: null,
  };
}

/** A worker's return value, or a failed result when it is not one. */
export function normalise(value: unknown): RunJobResult {
  const result = (typeof value === "string" ? safeJson(value) : value) as RunJobResult | undefined;
  if (result && typeof result === "object" && typeof result.outcome === "string") return result;
  return failedResult("the worker returned no outcome", null);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
