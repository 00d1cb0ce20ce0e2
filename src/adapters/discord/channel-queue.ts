/**
 * One-at-a-time work per Discord channel, in arrival order. The core already serialises the turns of a
 * planning session, but the adapter awaits things (session look-up, thread creation) before it calls the
 * core; without this queue a quick second message could overtake a first one during those awaits, and
 * two jobs in one channel would start and stop the same typing indicator out of step.
 */
export interface ChannelQueues {
  /** Runs `job` after every job queued earlier for `channelId` has settled; resolves with its result. */
  run<T>(channelId: string, job: () => Promise<T>): Promise<T>;
  /** Jobs queued or running for a channel (0 when idle). */
  depth(channelId: string): number;
}

/** Creates empty {@link ChannelQueues}; a channel's entry is dropped when its last job settles. */
export function createChannelQueues(): ChannelQueues {
  const tails = new Map<string, { tail: Promise<unknown>; depth: number }>();
  return {
    run<T>(channelId: string, job: () => Promise<T>): Promise<T> {
      const entry = tails.get(channelId) ?? { tail: Promise.resolve(), depth: 0 };
      // A failed job must not stop the ones behind it, so the chain continues on either outcome.
      const result = entry.tail.then(job, job);
      entry.depth += 1;
      entry.tail = result.then(
        () => settle(),
        () => settle(),
      );
      tails.set(channelId, entry);
      function settle(): void {
        entry.depth -= 1;
        if (entry.depth === 0 && tails.get(channelId) === entry) tails.delete(channelId);
      }
      return result;
    },
    depth: (channelId) => tails.get(channelId)?.depth ?? 0,
  };
}
