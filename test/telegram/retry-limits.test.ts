import { afterEach, describe, expect, it } from "vitest";
import { group, startHarness, type TelegramHarness } from "./harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("telegram adapter: retry limits", () => {
  it("a send that succeeds goes out once; a rate-limited one is retried up to the limit, the first attempt not counted", async () => {
    h = await startHarness({ adapter: { retry: { maxRetryAttempts: 1, maxDelaySeconds: 5 } } });
    const target = { adapter: "telegram", channelId: String(group.id) };
    const attempts = () => h!.fake.calls.filter((call) => call.method === "sendMessage");

    expect(await h.runtime.outbound.send(target, { text: "first" })).toMatchObject({ ok: true });
    expect(attempts()).toHaveLength(1);

    // Three 429s waiting; one retry allowed: the first attempt and one retry, then the failure.
    h.fake.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1, times: 3 });
    expect(await h.runtime.outbound.send(target, { text: "second" })).toMatchObject({
      ok: false,
      code: "rate_limited",
    });
    expect(
      attempts()
        .slice(1)
        .map((call) => [call.ok, call.error?.error_code]),
    ).toEqual([
      [false, 429],
      [false, 429],
    ]);

    // The third 429 is still queued: it is the first attempt here, and the retry gets through.
    expect(await h.runtime.outbound.send(target, { text: "third" })).toMatchObject({ ok: true });
    expect(
      attempts()
        .slice(3)
        .map((call) => [call.ok, call.error?.error_code]),
    ).toEqual([
      [false, 429],
      [true, undefined],
    ]);
    expect(h.fake.sentMessages(group.id).map((message) => message.plain_text)).toEqual(["first", "third"]);
  });
});
