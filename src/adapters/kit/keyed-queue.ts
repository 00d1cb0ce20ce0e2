/**
 * One-at-a-time work per key (a chat, a channel, a topic), in arrival order. The core serialises the
 * turns of a planning session, but an adapter awaits things (typing, thread creation, sends) around its
 * core call; without this queue a quick second message could overtake a first one during those awaits,
 * and two jobs in one chat would start and stop the same typing indicator out of step.
 */
export interface KeyedQueues {
  /**
   * Runs `job` after every job queued earlier for `key` has settled; resolves with its result. With
   * nothing queued for the key the job starts at once, inside this call (a synchronous throw becomes
   * the rejection).
   */
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Jobs queued or running for a key (0 when idle). */
  depth(key: string): number;
}

/** Creates empty {@link KeyedQueues}; a key's entry is dropped when its last job settles. */
export function createKeyedQueues(): KeyedQueues {
  const tails = new Map<string, QueueEntry>();
  return {
    run<T>(key: string, job: () => Promise<T>): Promise<T> {
      const queued = tails.get(key);
      if (!queued) return startIdle(key, job);
      // A failed job must not stop the ones behind it, so the chain continues on either outcome.
      const result = queued.tail.then(job, job);
      follow(key, queued, result);
      return result;
    },
    depth: (key) => tails.get(key)?.depth ?? 0,
  };

  /**
   * The usual case, a message in a quiet chat: the job starts without a hop through an already settled
   * tail. The entry's tail is in place before the job runs and settles after it, so a job queued on the
   * same key meanwhile (even by this job itself) still waits for it.
   */
  function startIdle<T>(key: string, job: () => Promise<T>): Promise<T> {
    let settled!: () => void;
    const entry = { tail: new Promise<void>((resolve) => (settled = resolve)), depth: 1 };
    tails.set(key, entry);
    let result: Promise<T>;
    try {
      result = job();
    } catch (error) {
      result = Promise.reject(error);
    }
    const finish = (): void => {
      drop(key, entry);
      settled();
    };
    result.then(finish, finish);
    return result;
  }

  /** Counts `result` on the key's entry; the next job waits for it to settle. */
  function follow(key: string, entry: QueueEntry, result: Promise<unknown>): void {
    entry.depth += 1;
    entry.tail = result.then(
      () => drop(key, entry),
      () => drop(key, entry),
    );
  }

  /** One job of the entry settled; the entry goes when it was the last. */
  function drop(key: string, entry: QueueEntry): void {
    entry.depth -= 1;
    if (entry.depth === 0 && tails.get(key) === entry) tails.delete(key);
  }
}

interface QueueEntry {
  tail: Promise<unknown>;
  depth: number;
}
