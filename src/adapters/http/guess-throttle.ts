import type { Logger } from "../../log.ts";

/**
 * Slows token guessing per client address: the first {@link GuessThrottleOptions.freeFailures} wrong
 * tokens are answered at once; after that the address is locked out for 2 s, then 4 s, 8 s … up to 15
 * minutes per further failure. While locked out, a token from that address is not even compared (else the
 * guessing would go on at full speed behind 429s), so the answer is 429 with Retry-After. A right token
 * clears the address's record. Addresses are the socket's (X-Forwarded-For is not trusted: anyone could
 * send one); behind a reverse proxy every client shares the proxy's address.
 *
 * One warning per address per lockout window, not one per wrong token, so guessing cannot flood the log.
 */
export interface GuessThrottle {
  /** Milliseconds the address must still wait, or 0 when it may try a token now. */
  waitMs(address: string): number;
  /** Records a wrong token; returns how long the address must now wait (0 while failures are still free). */
  failed(address: string): number;
  /** Records a right token: the address starts afresh. */
  succeeded(address: string): void;
}

/** Options of {@link createGuessThrottle}. */
export interface GuessThrottleOptions {
  log?: Logger;
  /** The clock in ms (tests move it instead of sleeping). */
  now?: () => number;
  /** Wrong tokens answered without delay (default 5: a person mistyping). */
  freeFailures?: number;
  /** First lockout (default 2 s), doubled per further failure. */
  baseDelayMs?: number;
  /** Longest lockout (default 15 minutes). */
  maxDelayMs?: number;
  /** Addresses remembered at most (default 10,000; the oldest is forgotten first), so a botnet cannot exhaust memory. */
  maxAddresses?: number;
}

interface AddressRecord {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
  warned: boolean;
}

/** Creates a {@link GuessThrottle}. */
export function createGuessThrottle(options: GuessThrottleOptions = {}): GuessThrottle {
  const now = options.now ?? Date.now;
  const freeFailures = options.freeFailures ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 2000;
  const maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const records = new Map<string, AddressRecord>();

  /** The record of `address`, forgotten once it has been quiet for a whole longest lockout after its last one. */
  function current(address: string): AddressRecord | undefined {
    const record = records.get(address);
    if (record && now() > Math.max(record.lockedUntil, record.lastFailure) + maxDelayMs) {
      records.delete(address);
      return undefined;
    }
    return record;
  }

  return {
    waitMs(address) {
      const record = current(address);
      return record ? Math.max(0, record.lockedUntil - now()) : 0;
    },
    failed(address) {
      let record = current(address);
      if (!record) {
        record = { failures: 0, lockedUntil: 0, lastFailure: 0, warned: false };
        records.set(address, record);
        if (records.size > maxAddresses) records.delete(records.keys().next().value!);
      }
      record.failures += 1;
      record.lastFailure = now();
      if (record.failures <= freeFailures) return 0;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, record.failures - freeFailures - 1));
      record.lockedUntil = now() + delay;
      if (!record.warned) {
        record.warned = true;
        options.log?.warn(
          { remote: address, failures: record.failures },
          "wrong dashboard tokens from this address: slowing it down (further ones are not logged until it has been quiet for 15 minutes)",
        );
      }
      return delay;
    },
    succeeded(address) {
      records.delete(address);
    },
  };
}
