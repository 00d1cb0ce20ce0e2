/**
 * One-at-a-time work per key (a chat, a channel, a topic), in arrival order. The core serialises the
 * turns of a planning session, but an adapter awaits things (typing, thread creation, sends) around its
 * core call; without this queue a quick second message could overtake a first one during those awaits,
 * and two jobs in one chat would start and stop the same typing indicator out of step.
 */
export interface KeyedQueues {
  /** Runs `job` after every job queued earlier for `key` has settled; resolves with its result. */
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Jobs queued or running for a key (0 when idle). */
  depth(key: string): number;
}

/** Creates empty {@link KeyedQueues}; a key's entry is dropped when its last job settles. */
export function createKeyedQueues(): KeyedQueues {
  const tails = new Map<string, { tail: Promise<unknown>; depth: number }>();
  return {
    run<T>(key: string, job: () => Promise<T>): Promise<T> {
      const entry = tails.get(key) ?? { tail: Promise.resolve(), depth: 0 };
      // A failed job must not stop the ones behind it, so the chain continues on either outcome.
      const result = entry.tail.then(job, job);
      entry.depth += 1;
      entry.tail = result.then(
        () => settle(),
        () => settle(),
      );
      tails.set(key, entry);
      function settle(): void {
        entry.depth -= 1;
        if (entry.depth === 0 && tails.get(key) === entry) tails.delete(key);
      }
      return result;
    },
    depth: (key) => tails.get(key)?.depth ?? 0,
  };
}
