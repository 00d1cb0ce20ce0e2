import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createGrammyBot, logPollFailures } from "../../src/adapters/telegram/polling.ts";
import { createLogger } from "../../src/log.ts";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram/index.ts";

let fake: FakeTelegram | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A real pino logger at debug level whose JSON lines are kept for the test. */
function capturedLogger() {
  const stream = new PassThrough();
  const lines: Array<{ level: string; msg: string; failures?: number }> = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line));
  });
  return { log: createLogger("debug", stream), lines };
}

describe("failed polls are logged once, not once a second", () => {
  it("warns on the first failed getUpdates, logs the rest at debug, says when polling recovered; other calls pass through untouched", async () => {
    fake = await startFakeTelegram();
    const { log, lines } = capturedLogger();
    fake.addChat({ id: 42, type: "private" });
    const bot = createGrammyBot(fake.token, fake.apiRoot);
    logPollFailures(bot, log);
    // A 403 is not retried, so each one is a failed poll as the runner sees it.
    fake.failNext({ method: "getUpdates", errorCode: 403, times: 2 });
    await expect(bot.api.getUpdates({ timeout: 0 })).rejects.toThrow(/403/);
    await expect(bot.api.getUpdates({ timeout: 0 })).rejects.toThrow(/403/);
    await expect(bot.api.getUpdates({ timeout: 0 })).resolves.toEqual([]);
    // A send is neither counted nor logged, and its result comes back as the API gave it.
    fake.failNext({ method: "sendMessage", errorCode: 403 });
    await expect(bot.api.sendMessage(42, "hi")).rejects.toThrow(/403/);
    const sent = await bot.api.sendMessage(42, "hello");
    expect(sent.text).toBe("hello");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.level, line.msg, line.failures])).toEqual([
      ["warn", "telegram getUpdates failed; retrying every second", undefined],
      ["debug", "telegram getUpdates failed again", 2],
      ["info", "telegram polling recovered", 2],
    ]);
  });
});
