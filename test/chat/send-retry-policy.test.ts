/** Which failed sends are retried, and after how long: the Outbound failure vocabulary read one way for everyone. */
import { describe, expect, it } from "vitest";
import { DEFAULT_SEND_RETRY, decideRetry } from "../../src/chat/send-retry-policy.ts";
import { fail } from "../../src/projects/result.ts";

const blip = fail("send_failed", "Telegram failed (502 Bad Gateway).", { details: { permanent: false, status: 502 } });

describe("decideRetry", () => {
  it("backs off 1 s, 2 s, 4 s, 8 s, 16 s and gives up after the sixth attempt", () => {
    const waits = [1, 2, 3, 4, 5].map((attempts) => decideRetry(blip, attempts, DEFAULT_SEND_RETRY));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000].map((waitMs) => ({ retry: true, waitMs })));
    expect(decideRetry(blip, 6, DEFAULT_SEND_RETRY)).toEqual({ retry: false, permanent: false });
  });

  it("never backs off longer than the cap", () => {
    const policy = { backoffMs: 1000, maxBackoffMs: 60_000, maxAttempts: 20 };
    expect(decideRetry(blip, 10, policy)).toEqual({ retry: true, waitMs: 60_000 });
  });

  it("waits out the platform's retry-after as given, even past the backoff cap", () => {
    const limited = fail("rate_limited", "Telegram is rate limiting planbot; retry in 90 s.", {
      details: { retryAfterMs: 90_000, permanent: false },
    });
    expect(decideRetry(limited, 1, DEFAULT_SEND_RETRY)).toEqual({ retry: true, waitMs: 90_000 });
  });

  it("does not retry a permanent refusal or an adapter that cannot do it", () => {
    const kicked = fail("send_failed", "Telegram refused the message: Forbidden: bot was kicked.", {
      details: { permanent: true, status: 403 },
    });
    expect(decideRetry(kicked, 1, DEFAULT_SEND_RETRY)).toEqual({ retry: false, permanent: true });
    expect(decideRetry(fail("not_available", "cannot edit"), 1, DEFAULT_SEND_RETRY)).toEqual({
      retry: false,
      permanent: true,
    });
  });

  it("retries a failure that says nothing about permanence (an adapter not running yet)", () => {
    const down = fail("send_failed", "The telegram adapter is not running, so nothing can be sent there.");
    expect(decideRetry(down, 1, DEFAULT_SEND_RETRY)).toEqual({ retry: true, waitMs: 1000 });
  });
});
