/**
 * Runs jobs one at a time per key, in arrival order, and at most `limit` keys at once: one planning
 * session never has two planner turns in flight, while different sessions proceed in parallel.
 */
export interface KeyedQueue {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Jobs waiting or running for a key. */
  depth(key: string): number;
}

/** Creates a {@link KeyedQueue} with a global parallelism limit. */
export function createKeyedQueue(limit: number): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  const depths = new Map<string, number>();
  let active = 0;
  const waiting: (() => void)[] = [];

  const acquire = () =>
    active < limit
      ? ((active += 1), Promise.resolve())
      : new Promise<void>((resolve) => waiting.push(() => ((active += 1), resolve())));
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };

  return {
    run<T>(key: string, job: () => Promise<T>): Promise<T> {
      depths.set(key, (depths.get(key) ?? 0) + 1);
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(async () => {
        await acquire();
        try {
          return await job();
        } finally {
          release();
        }
      });
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        const left = (depths.get(key) ?? 1) - 1;
        if (left === 0) depths.delete(key);
        else depths.set(key, left);
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    depth: (key) => depths.get(key) ?? 0,
  };
}
