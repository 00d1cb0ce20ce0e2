import type { Logger } from "../log.ts";

/** How often a connection problem that keeps repeating is logged again, with the count since. */
const REPEAT_EVERY_MS = 60_000;

/**
 * The `error` handler for a BullMQ object (queue, worker, events, stalled check), which ioredis calls at
 * every failed reconnect — about twice a second while Redis does not answer. The first error is logged
 * whole; the same error again is counted and logged once a minute with the count, so an outage reads as a
 * few lines, not thousands of stacks. A different error is logged at once.
 */
export function connectionProblemLog(log: Logger, what: string, now: () => number = Date.now): (error: Error) => void {
  let lastKey: string | undefined;
  let lastLoggedAt = 0;
  let repeats = 0;
  return (error) => {
    const key = `${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}`;
    const at = now();
    if (key !== lastKey) {
      lastKey = key;
      lastLoggedAt = at;
      repeats = 0;
      log.warn({ err: error }, `${what}: Redis connection problem`);
      return;
    }
    repeats += 1;
    if (at - lastLoggedAt < REPEAT_EVERY_MS) return;
    log.warn(
      { repeats, error: error.message },
      `${what}: Redis connection problem goes on (${repeats} more failed attempts since the last line)`,
    );
    lastLoggedAt = at;
    repeats = 0;
  };
}
