import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createInFlight } from "../../src/adapters/kit/in-flight.ts";
import { gate } from "../helpers/gate.ts";

/** A real pino logger writing into an array, to see what a failed handler leaves in the log. */
function capturingLogger(lines: Record<string, unknown>[]) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: "info" }, sink);
}

describe("adapter in-flight tracker", () => {
  it("counts running handlers and lets idle() return once the last one ended, a failed one logged", async () => {
    const lines: Record<string, unknown>[] = [];
    const inFlight = createInFlight("telegram", capturingLogger(lines));
    await inFlight.idle(10_000); // nothing runs: at once
    const first = gate();
    const second = gate();
    inFlight.track(first.promise, "update");
    inFlight.track(second.promise, "update");
    expect(inFlight.running).toBe(2);
    let idle = false;
    const waiting = inFlight.idle(10_000).then(() => {
      idle = true;
    });
    first.open();
    await first.promise;
    await Promise.resolve();
    expect(inFlight.running).toBe(1);
    expect(idle).toBe(false);
    second.fail(new Error("bug in a handler"));
    await waiting;
    expect(idle).toBe(true);
    expect(inFlight.running).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({ adapter: "telegram", what: "update", msg: "telegram handler failed", level: 50 }),
    ]);
  });

  it("stops waiting after the timeout when a handler hangs, and a later idle() still wakes when it ends", async () => {
    const inFlight = createInFlight("discord", capturingLogger([]));
    const hanging = gate();
    inFlight.track(hanging.promise, "interaction");
    await inFlight.idle(20);
    expect(inFlight.running).toBe(1);
    const later = inFlight.idle(10_000);
    hanging.open();
    await later;
    expect(inFlight.running).toBe(0);
  });
});
