import type { Clock } from "../projects/clock.ts";

/** Longest single timer: long waits are split so a suspended machine or a clock change is noticed within the hour. */
const MAX_WAIT_MS = 60 * 60_000;

/** Options of {@link scheduleDaily}. */
export interface DailyOptions {
  /** `HH:MM`, 24-hour, in the machine's local time zone (EXECUTE_AT). */
  at: string;
  clock: Clock;
  /** The work; a run still going when the next time comes is not started twice. */
  run: () => Promise<unknown>;
  /** Called with errors thrown by `run` (default: ignored). */
  onError?: (error: unknown) => void;
  /** Upper bound of one timer (tests shorten it). */
  maxWaitMs?: number;
}

/** A running daily schedule. */
export interface DailySchedule {
  /** When the next run is due. */
  next(): Date;
  stop(): void;
}

/**
 * The next local `HH:MM` strictly after `after`. Throws on a malformed `at` (config validated it already).
 */
export function nextOccurrence(at: string, after: Date): Date {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!match) throw new Error(`"${at}" is not HH:MM`);
  const next = new Date(after.getTime());
  next.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (next.getTime() <= after.getTime()) {
    next.setDate(next.getDate() + 1);
    next.setHours(Number(match[1]), Number(match[2]), 0, 0);
  }
  return next;
}

/**
 * Runs `run` every day at `at` (EXECUTE_AT inside `planbot start`). The due time is computed from the
 * clock and re-checked whenever a timer fires, so a fake clock drives it in tests and a wall-clock jump
 * does not make it fire early. Timers are unref'd: the schedule never keeps planbot alive on its own.
 */
export function scheduleDaily(options: DailyOptions): DailySchedule {
  const maxWait = options.maxWaitMs ?? MAX_WAIT_MS;
  let due = nextOccurrence(options.at, options.clock.now());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running = false;

  const arm = () => {
    if (stopped) return;
    const wait = Math.max(0, Math.min(due.getTime() - options.clock.now().getTime(), maxWait));
    timer = setTimeout(tick, wait);
    timer.unref();
  };
  const tick = () => {
    if (stopped) return;
    const now = options.clock.now();
    if (now.getTime() < due.getTime()) return arm();
    // The next due time is after both now and this one, so a clock that stands still cannot re-fire it.
    due = nextOccurrence(options.at, new Date(Math.max(now.getTime(), due.getTime())));
    if (!running) {
      running = true;
      void Promise.resolve()
        .then(options.run)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          running = false;
        });
    }
    arm();
  };
  arm();
  return {
    next: () => due,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
