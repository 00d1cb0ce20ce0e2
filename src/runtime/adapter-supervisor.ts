import type { AdapterDefinition, AdapterHost, RunningAdapter } from "../adapters/contract.ts";
import type { Logger } from "../log.ts";
import type { AdapterStatusBoard } from "../adapters/adapter-status.ts";

/** Backoff between start attempts: doubling from `firstMs`, never longer than `maxMs`. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 2_000, maxMs: 5 * 60_000 };

/** An adapter kept trying: `stop` ends the retries and stops it if it runs. */
export interface SupervisedAdapter {
  /** Whether the first attempt started it. */
  readonly firstAttempt: Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Starts an adapter, and if its platform cannot be reached (or refuses it), tries again with backoff
 * while the rest of planbot runs: one unreachable platform must not take the others down. Every failure
 * is logged with the next attempt's time and reported on the status board (`planbot doctor` reads it).
 */
export function superviseAdapter<H extends AdapterHost>(
  entry: AdapterDefinition<H>,
  host: H,
  options: { board: AdapterStatusBoard; log: Logger; backoff?: Backoff },
): SupervisedAdapter {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const { board, log } = options;
  let running: RunningAdapter | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let attempts = 0;
  let attempt: Promise<boolean> = Promise.resolve(false);

  const tryStart = async (): Promise<boolean> => {
    attempts += 1;
    try {
      const started = await entry.start(host);
      if (stopped) {
        await started.stop();
        return false;
      }
      running = started;
      board.set(entry.name, { state: "running", attempts });
      log.info(
        { adapter: entry.name, attempts },
        attempts === 1 ? `${entry.name}: started` : `${entry.name}: started after ${attempts} attempts`,
      );
      return true;
    } catch (error) {
      const delay = Math.min(backoff.maxMs, backoff.firstMs * 2 ** (attempts - 1));
      const nextAttemptAt = new Date(Date.now() + delay).toISOString();
      const reason = (error as Error)?.message ?? String(error);
      board.set(entry.name, { state: "retrying", reason, attempts, nextAttemptAt });
      // The reason without a stack: a platform that cannot be reached (or refuses the token) is the
      // network's or the configuration's doing, and a trace of planbot's own frames would only bury it.
      log.error(
        { adapter: entry.name, reason, attempts, retryInMs: delay },
        `${entry.name}: failed to start; trying again in ${Math.round(delay / 1000)} s (the other adapters keep running)`,
      );
      if (!stopped) {
        timer = setTimeout(() => {
          attempt = tryStart();
        }, delay);
        timer.unref();
      }
      return false;
    }
  };

  attempt = tryStart();
  return {
    firstAttempt: attempt,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await attempt.catch(() => false);
      if (running) await running.stop();
      board.set(entry.name, { state: "stopped" });
    },
  };
}
