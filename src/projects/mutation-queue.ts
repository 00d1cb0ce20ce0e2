import type { Result } from "./result.ts";

/**
 * How one process hands its mutations of a file to the writes that carry them. Mutations of one path are
 * written one write at a time per process, whatever the instance (only other processes contend on the
 * lock); and mutations made while a write is under way wait together and share the next write — a group
 * commit, one lock, one rename and one fsync for all of them (docs/architecture.md, "The store's write
 * path").
 */

/** One caller's mutation, waiting for (and then carried by) a write. */
export interface PendingMutation<D> {
  apply: (data: D) => Result<unknown> | Promise<Result<unknown>>;
  resolve: (result: Result<unknown>) => void;
  reject: (error: unknown) => void;
  /** Set by the write, under the lock: what `apply` returned, or what it threw. */
  outcome?: Result<unknown>;
  thrown?: { error: unknown };
}

/** The most mutations one write carries: a long batch holds the lock while other processes wait. */
export const MAX_BATCH = 64;

/** Mutations waiting for a write of `path`, and the write that carries them. */
export interface MutationQueue<D> {
  /** Queues `apply`; the promise settles when the write that carried it has (see {@link PendingMutation}). */
  add<T>(apply: (data: D) => Result<T> | Promise<Result<T>>): Promise<Result<T>>;
}

/**
 * A queue whose writes call `write(batch)`: it must settle every mutation of the batch. Should it throw
 * instead, every mutation of the batch not yet settled is rejected with that error.
 */
export function createMutationQueue<D>(
  path: string,
  write: (batch: PendingMutation<D>[]) => Promise<void>,
): MutationQueue<D> {
  const waiting: PendingMutation<D>[] = [];

  async function writeWaiting(): Promise<void> {
    const batch = waiting.splice(0, MAX_BATCH);
    // Whatever arrived beyond the cap gets a write of its own, next in line.
    if (waiting.length > 0) void serialise(path, writeWaiting);
    try {
      await write(batch);
    } catch (error) {
      // A promise settles once: this reaches only the callers the write had not answered.
      for (const mutation of batch) mutation.reject(error);
    }
  }

  return {
    add<T>(apply: (data: D) => Result<T> | Promise<Result<T>>) {
      return new Promise<Result<T>>((resolve, reject) => {
        waiting.push({ apply, resolve: resolve as (result: Result<unknown>) => void, reject });
        // The first mutation to wait schedules the write; the ones after it join until that write starts.
        if (waiting.length === 1) void serialise(path, writeWaiting);
      });
    },
  };
}

/** The last job queued per path in this process. */
const chains = new Map<string, Promise<unknown>>();

/** Runs `job` after every job queued before it for `key` in this process has finished. */
function serialise(key: string, job: () => Promise<void>): Promise<void> {
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(job, job);
  chains.set(key, run);
  void run.then(() => {
    if (chains.get(key) === run) chains.delete(key);
  });
  return run;
}
