// The guard around a fast command's core call: a defer only when the core is late, and never an answer before the defer is done.
import { describe, expect, it } from "vitest";
import { deferIfSlow } from "../../src/adapters/discord/interactions.ts";

/** A responder that records when its defer starts and ends; the defer takes `deferMs` (Discord's round trip). */
function recordingResponder(events: string[], deferMs = 0) {
  return {
    defer: async () => {
      events.push("defer start");
      await new Promise((resolve) => setTimeout(resolve, deferMs));
      events.push("defer end");
    },
  };
}

describe("deferIfSlow", () => {
  it("hands back a quick core's result without deferring", async () => {
    const events: string[] = [];
    const result = await deferIfSlow(Promise.resolve("replies"), recordingResponder(events), 50);
    expect(result).toBe("replies");
    // Past the deadline too: the timer was cleared with the answer.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(events).toEqual([]);
  });

  it("defers a late core once, and hands its result back only after the defer is done", async () => {
    const events: string[] = [];
    const late = new Promise<string>((resolve) =>
      setTimeout(() => {
        events.push("core done");
        resolve("replies");
      }, 60),
    );
    // The defer is still on its way when the core finishes.
    const result = await deferIfSlow(late, recordingResponder(events, 80), 20);
    events.push(`answer: ${result}`);
    expect(events).toEqual(["defer start", "core done", "defer end", "answer: replies"]);
  });

  it("passes a late core's failure on after the defer, so the failure notice follows the loading message", async () => {
    const events: string[] = [];
    const failing = new Promise<string>((_, reject) => setTimeout(() => reject(new Error("store unreadable")), 40));
    await expect(deferIfSlow(failing, recordingResponder(events, 60), 10)).rejects.toThrow("store unreadable");
    expect(events).toEqual(["defer start", "defer end"]);
  });
});
