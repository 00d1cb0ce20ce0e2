import type { Logger } from "../log.ts";

/** Runs the work of each job in order (a job's progress before its completion); jobs do not wait on each other. */
export interface JobSerialiser {
  /** Queues `work` behind the job's earlier work; a failure is logged, never thrown. */
  run<T>(jobId: string, work: () => Promise<T>): Promise<T | void>;
  /** Resolves once all queued work has settled. */
  settled(): Promise<void>;
}

/** Creates a serialiser that logs failed work with the job's id. */
export function createJobSerialiser(log: Logger): JobSerialiser {
  const chains = new Map<string, Promise<unknown>>();
  return {
    run<T>(jobId: string, work: () => Promise<T>) {
      const next = (chains.get(jobId) ?? Promise.resolve())
        .then(work, work)
        .catch((error: unknown) => log.error({ err: error, jobId }, "queue event handling failed"));
      chains.set(jobId, next);
      void next.finally(() => chains.get(jobId) === next && chains.delete(jobId));
      return next;
    },
    async settled() {
      await Promise.allSettled([...chains.values()]);
    },
  };
}
