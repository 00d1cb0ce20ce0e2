import type { RunEnd } from "./run-event-steps.ts";

/** Who waits for which job's end: `planbot execute` for its runs, a stop for the stopped run. */
export interface RunWaiters {
  /** Resolves when the run's job ended (recorded here or by another planbot process). */
  awaitEnd(jobId: string): Promise<RunEnd>;
  /** Hands a run's end to everyone waiting on its job. */
  ended(end: RunEnd): void;
  /** Resolves every waiter with `end` (planbot stops waiting; the runs go on). */
  releaseAll(end: RunEnd): void;
  /** Resolves when no one waits any more. */
  idle(): Promise<void>;
}

/** Creates an empty set of waiters. */
export function createRunWaiters(): RunWaiters {
  const waiting = new Map<string, Set<(end: RunEnd) => void>>();
  const pending = new Set<Promise<unknown>>();
  return {
    awaitEnd(jobId) {
      let resolver: ((end: RunEnd) => void) | undefined;
      const done = new Promise<RunEnd>((resolve) => {
        resolver = resolve;
        const set = waiting.get(jobId) ?? new Set();
        set.add(resolve);
        waiting.set(jobId, set);
      });
      const tracked = done.finally(() => {
        const set = waiting.get(jobId);
        set?.delete(resolver!);
        if (set?.size === 0) waiting.delete(jobId);
      });
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
      return tracked;
    },
    ended(end) {
      for (const resolve of waiting.get(end.jobId) ?? []) resolve(end);
    },
    releaseAll(end) {
      for (const resolve of [...waiting.values()].flatMap((set) => [...set])) resolve(end);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
