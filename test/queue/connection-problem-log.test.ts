// A Redis outage makes ioredis fail a reconnect about twice a second, and every BullMQ object reports each
// one: the log reads the first failure whole, then a line a minute with the count, and a new failure at once.
// Through a real pino logger writing JSON lines.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { connectionProblemLog } from "../../src/queue/connection-problem-log.ts";

function collectingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger("info", sink, "json"), lines };
}

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6390"), { code: "ECONNREFUSED" });

describe("connectionProblemLog", () => {
  it("logs a failure once, its repeats once a minute with their count, and another failure at once", () => {
    const { log, lines } = collectingLogger();
    let now = 0;
    const onError = connectionProblemLog(log, "worker", () => now);

    for (; now < 59_000; now += 500) onError(refused());
    expect(lines.map((line) => line.msg)).toEqual(["worker: Redis connection problem"]);
    expect(lines[0]).toMatchObject({ level: "warn", err: { message: "connect ECONNREFUSED 127.0.0.1:6390" } });

    for (; now <= 60_000; now += 500) onError(refused());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      level: "warn",
      repeats: 120,
      msg: "worker: Redis connection problem goes on (120 more failed attempts since the last line)",
    });

    onError(Object.assign(new Error("NOAUTH Authentication required."), { code: undefined }));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      msg: "worker: Redis connection problem",
      err: { message: "NOAUTH Authentication required." },
    });
  });
});
