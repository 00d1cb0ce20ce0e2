import { describe, expect, it } from "vitest";
import { createKeyedQueues } from "../../src/adapters/kit/keyed-queue.ts";
import { gate } from "../helpers/gate.ts";

describe("keyed queues", () => {
  it("starts a job at once when its key is idle, inside the call", async () => {
    const queues = createKeyedQueues();
    const seen: string[] = [];
    const done = queues.run("chat", async () => {
      seen.push("job");
      return 42;
    });
    seen.push("after run");
    expect(seen).toEqual(["job", "after run"]);
    await expect(done).resolves.toBe(42);
  });

  it("runs the jobs of one key one at a time, in the order they came, and other keys beside them", async () => {
    const queues = createKeyedQueues();
    const events: string[] = [];
    const first = gate();
    const a1 = queues.run("a", async () => {
      events.push("a1 start");
      await first.promise;
      events.push("a1 end");
    });
    const a2 = queues.run("a", async () => {
      events.push("a2");
    });
    const b1 = queues.run("b", async () => {
      events.push("b1");
    });
    await b1;
    expect(events).toEqual(["a1 start", "b1"]);
    expect(queues.depth("a")).toBe(2);
    first.open();
    await Promise.all([a1, a2]);
    expect(events).toEqual(["a1 start", "b1", "a1 end", "a2"]);
    expect(queues.depth("a")).toBe(0);
    expect(queues.depth("b")).toBe(0);
  });

  it("keeps going after a job that rejects or throws before its first await, and hands each caller its own outcome", async () => {
    const queues = createKeyedQueues();
    const first = gate();
    const failing = queues.run("chat", () => first.promise);
    const throwing = queues.run("chat", () => {
      throw new Error("thrown at once");
    });
    const after = queues.run("chat", async () => "still runs");
    first.fail(new Error("planner down"));
    await expect(failing).rejects.toThrow("planner down");
    await expect(throwing).rejects.toThrow("thrown at once");
    await expect(after).resolves.toBe("still runs");
    // A synchronous throw in an idle queue is a rejection too, and the queue is usable afterwards.
    await expect(
      queues.run("idle", () => {
        throw new Error("idle throw");
      }),
    ).rejects.toThrow("idle throw");
    expect(queues.depth("idle")).toBe(0);
    await expect(queues.run("idle", async () => "next")).resolves.toBe("next");
  });

  it("makes a job that queues on its own key at once wait until the first one settled", async () => {
    const queues = createKeyedQueues();
    const events: string[] = [];
    let inner: Promise<void> | undefined;
    const outer = queues.run("chat", async () => {
      inner = queues.run("chat", async () => {
        events.push("inner");
      });
      events.push("outer before await");
      await Promise.resolve();
      events.push("outer end");
    });
    await outer;
    await inner;
    expect(events).toEqual(["outer before await", "outer end", "inner"]);
    // A job queued after both waits for the inner one too.
    const last = queues.run("chat", async () => {
      events.push("last");
    });
    await last;
    expect(events.at(-1)).toBe("last");
    expect(queues.depth("chat")).toBe(0);
  });
});
