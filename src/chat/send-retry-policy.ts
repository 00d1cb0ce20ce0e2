import type { Failure } from "../projects/result.ts";

/** How a failed send is retried: the first wait, its cap and how many attempts a message gets in all. */
export interface SendRetryPolicy {
  /** Wait after the first transient failure when the platform names none; doubles per attempt. */
  backoffMs: number;
  /** The longest backoff between two attempts (a platform's own retry-after is waited out as given). */
  maxBackoffMs: number;
  /** Attempts in all, the first included; after the last one fails the message is dropped. */
  maxAttempts: number;
}

/** 1 s, 2 s, 4 s, 8 s, 16 s between six attempts: a platform hiccup of half a minute is ridden out. */
export const DEFAULT_SEND_RETRY: SendRetryPolicy = { backoffMs: 1000, maxBackoffMs: 60_000, maxAttempts: 6 };

/** What to do after a failed attempt: wait `waitMs` and try again, or give up (`permanent` = retrying cannot help). */
export type RetryDecision = { retry: true; waitMs: number } | { retry: false; permanent: boolean };

/**
 * Decides on a failed send by the Outbound port's failure vocabulary (src/chat/outbound.ts): a failure
 * marked `details.permanent` (chat gone, bot removed, a part still too long) is never retried; anything
 * else is, after the platform's `retryAfterMs` when it gave one, else after an exponential backoff.
 * `attempts` counts the attempts made so far, the failed one included.
 */
export function decideRetry(failure: Failure, attempts: number, policy: SendRetryPolicy): RetryDecision {
  if (failure.details?.permanent === true || failure.code === "not_available") return { retry: false, permanent: true };
  if (attempts >= policy.maxAttempts) return { retry: false, permanent: false };
  const retryAfter = failure.details?.retryAfterMs;
  const backoff = policy.backoffMs * 2 ** Math.max(0, attempts - 1);
  if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0)
    return { retry: true, waitMs: retryAfter };
  return { retry: true, waitMs: Math.min(policy.maxBackoffMs, backoff) };
}
