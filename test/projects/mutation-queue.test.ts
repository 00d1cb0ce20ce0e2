/**
 * The in-process queue in front of a store's writes (src/projects/mutation-queue.ts): who shares a write,
 * in which order, and what a caller hears when the write itself breaks.
 */
import { describe, expect, it } from "vitest";
import { createMutationQueue, MAX_BATCH, type PendingMutation } from "../../src/projects/mutation-queue.ts";
import type { Result } from "../../src/projects/result.ts";

type Counter = { value: number };

/** A write that applies the batch to one counter and answers each mutation, recording the batch sizes. */
function countingWrite(counter: Counter, batches: number[]) {
  return async (batch: PendingMutation<Counter>[]) => {
    batches.push(batch.length);
    for (const mutation of batch) {
      const outcome = await mutation.apply(counter);
      mutation.resolve(outcome);
    }
  };
}

const increment = (counter: Counter): Result<{ value: number }> => {
  counter.value += 1;
  return { ok: true, value: counter.value };
};

describe("the mutation queue", () => {
  it("carries mutations made together in one write, and more than the cap in the next one, in order", async () => {
    const counter = { value: 0 };
    const batches: number[] = [];
    const queue = createMutationQueue<Counter>("/virtual/a.json", countingWrite(counter, batches));

    const results = await Promise.all(Array.from({ length: MAX_BATCH + 6 }, () => queue.add(increment)));

    expect(batches).toEqual([MAX_BATCH, 6]);
    expect(results.map((result) => result.ok && result.value)).toEqual(
      Array.from({ length: MAX_BATCH + 6 }, (_, n) => n + 1),
    );
  });

  it("a mutation made while a write runs waits for the next write", async () => {
    const counter = { value: 0 };
    const batches: number[] = [];
    let later: Promise<Result<{ value: number }>> | undefined;
    const queue = createMutationQueue<Counter>("/virtual/b.json", async (batch) => {
      // Made during this write: it must not join it.
      later ??= queue.add(increment);
      await countingWrite(counter, batches)(batch);
    });

    const first = await queue.add(increment);

    expect(first).toEqual({ ok: true, value: 1 });
    expect(await later).toEqual({ ok: true, value: 2 });
    expect(batches).toEqual([1, 1]);
  });

  it("a write that throws rejects the callers it had not answered, and the next write still runs", async () => {
    const counter = { value: 0 };
    let breakNext = true;
    const queue = createMutationQueue<Counter>("/virtual/c.json", async (batch) => {
      if (breakNext) {
        breakNext = false;
        batch[0]!.resolve({ ok: true, answered: "before the break" } as Result<unknown>);
        throw new Error("disk on fire");
      }
      await countingWrite(counter, [])(batch);
    });

    const [answered, broken] = await Promise.allSettled([queue.add(increment), queue.add(increment)]);
    expect(answered).toEqual({ status: "fulfilled", value: { ok: true, answered: "before the break" } });
    expect(broken).toMatchObject({ status: "rejected", reason: { message: "disk on fire" } });

    expect(await queue.add(increment)).toEqual({ ok: true, value: 1 });
  });

  it("two queues over the same path write one after the other, never at once", async () => {
    const running: string[] = [];
    let overlapped = false;
    const write = (name: string) => async (batch: PendingMutation<Counter>[]) => {
      if (running.length > 0) overlapped = true;
      running.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running.pop();
      for (const mutation of batch) mutation.resolve({ ok: true });
    };
    const one = createMutationQueue<Counter>("/virtual/shared.json", write("one"));
    const two = createMutationQueue<Counter>("/virtual/shared.json", write("two"));

    await Promise.all([one.add(increment), two.add(increment), one.add(increment), two.add(increment)]);

    expect(overlapped).toBe(false);
  });
});
