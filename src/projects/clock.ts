/** Time as a port, so tests can pin timestamps and durations without patching globals. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
