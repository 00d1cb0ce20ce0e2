import type { Logger } from "../../log.ts";

/** Keeps an adapter's running handlers, so nothing is left unhandled and stop can wait for them. */
export interface InFlight {
  /** Follows a handler's promise; a rejection (a bug: handlers catch their own errors) is logged, never thrown. */
  track(work: Promise<unknown>, what: string): void;
  /** Resolves when no handler runs (those started meanwhile included), or after `timeoutMs`, whichever is first. */
  idle(timeoutMs: number): Promise<void>;
  readonly running: number;
}

/**
 * Creates an {@link InFlight} tracker for one adapter; its name goes into the log line of a failed handler.
 * A count and one reaction per handler: every message passes through here, and a set of derived promises
 * (a catch, then a finally) cost three more promises each.
 */
export function createInFlight(adapter: string, log: Logger): InFlight {
  let running = 0;
  let waiters: (() => void)[] = [];
  const settle = (): void => {
    running -= 1;
    if (running > 0) return;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  const failed = (error: unknown, what: string): void => {
    log.error({ err: error, adapter, what }, `${adapter} handler failed`);
    settle();
  };
  return {
    track(work, what) {
      running += 1;
      work.then(settle, (error: unknown) => failed(error, what));
    },
    async idle(timeoutMs) {
      if (running === 0) return;
      let timer: NodeJS.Timeout | undefined;
      let wake!: () => void;
      await new Promise<void>((resolve) => {
        wake = resolve;
        waiters.push(resolve);
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      waiters = waiters.filter((waiter) => waiter !== wake);
    },
    get running() {
      return running;
    },
  };
}
