import type { Failure, Result } from "./result.ts";

/**
 * Whether the change watcher could read the store at its last look. A broken `approved-tasks.json` makes
 * no project change (nothing can be listed), so without this a reader that only follows changes — the
 * dashboard's open streams — would go on showing the last good list and never hear why it stopped moving.
 */
export interface StoreHealth {
  /**
   * What the listeners were last told: the failure (the file and what to do), or undefined for a readable
   * store. Not the newest read: a reader that starts from this and subscribes in the same turn of the event
   * loop (a page's stream connecting) hears exactly what the earlier ones heard — every later word, none
   * twice, none missed. Starting from a read of its own, it could hold a verdict the channel never tells
   * (a file broken and fixed again before the watcher looked) and nothing would ever correct it.
   */
  problem(): Failure | undefined;
  /** Calls `listener` with each new problem, and with undefined once the store is readable again. */
  subscribe(listener: (problem: Failure | undefined) => void): () => void;
}

/** The watcher's side of a {@link StoreHealth}: it notes each read, and tells the listeners when it chooses. */
export interface StoreHealthTracker extends StoreHealth {
  /** Notes the outcome of a read of the store. */
  saw(read: Result<unknown>): void;
  /**
   * Tells the listeners if what was seen differs from what they were last told. The watcher calls it once
   * a recomputation has published: a reader told "readable again" then already has the current list.
   */
  tell(): void;
}

/** Creates a {@link StoreHealthTracker}; a listener that throws goes to `report` and does not stop the others. */
export function createStoreHealth(report: (error: unknown) => void): StoreHealthTracker {
  const listeners = new Set<(problem: Failure | undefined) => void>();
  let seen: Failure | undefined;
  let told: Failure | undefined;

  return {
    problem: () => told,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    saw(read) {
      seen = read.ok ? undefined : read;
    },
    tell() {
      // The same words again (the file rewritten, still broken the same way) are no news.
      if (seen?.message === told?.message) return;
      told = seen;
      for (const listener of listeners) {
        try {
          listener(seen);
        } catch (error) {
          report(error);
        }
      }
    },
  };
}
