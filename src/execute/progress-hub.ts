import type { RunProgressListener } from "./run-progress.ts";

/**
 * Where run progress meets its readers: the local sampler and the queue publish, the run guard and the
 * progress messages listen. A listener that throws is isolated, so one reader cannot starve the others.
 */
export interface ProgressHub {
  publish: RunProgressListener;
  subscribe(listener: RunProgressListener): () => void;
}

/** Creates an empty {@link ProgressHub}. */
export function createProgressHub(onListenerError?: (error: unknown) => void): ProgressHub {
  const listeners = new Set<RunProgressListener>();
  return {
    publish(progress) {
      for (const listener of listeners) {
        try {
          listener(progress);
        } catch (error) {
          onListenerError?.(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
