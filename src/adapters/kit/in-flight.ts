import type { Logger } from "../../log.ts";

/** Keeps an adapter's running handlers, so nothing is left unhandled and stop can wait for them. */
export interface InFlight {
  /** Follows a handler's promise; a rejection (a bug: handlers catch their own errors) is logged, never thrown. */
  track(work: Promise<unknown>, what: string): void;
  /** Resolves when no handler runs, or after `timeoutMs`, whichever is first. */
  idle(timeoutMs: number): Promise<void>;
  readonly running: number;
}

/** Creates an {@link InFlight} tracker for one adapter; its name goes into the log line of a failed handler. */
export function createInFlight(adapter: string, log: Logger): InFlight {
  const running = new Set<Promise<unknown>>();
  return {
    track(work, what) {
      const tracked = work.catch((error: unknown) =>
        log.error({ err: error, adapter, what }, `${adapter} handler failed`),
      );
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
    },
    async idle(timeoutMs) {
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...running]), timeout]);
      clearTimeout(timer);
    },
    get running() {
      return running.size;
    },
  };
}
