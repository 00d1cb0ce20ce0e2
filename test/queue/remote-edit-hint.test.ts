// A queued run that fails on the worker because the project's base branch is not on the remote: the bot
// stores which field fixes it beside the error, as for a local run, so /status, the failure notice and
// `planbot projects show` name `/edit <slug> --base M` — and after that edit the next queued run completes.
// A real redis-server and real `bin/planbot worker` processes cloning from a bare remote.
import { describe, expect, it } from "vitest";
import { readErrorFix } from "../../src/projects/error-fix.ts";
import { waitUntil } from "../helpers/git-fixtures.ts";
import { useQueueFixture } from "./queue-fixture.ts";

const { setUp } = useQueueFixture();

describe("a queued run whose base is missing on the remote", { timeout: 120_000 }, () => {
  it("records the base as the field to edit, and runs once it is edited", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await world.approve("romeo");
    const wrong = await world.lifecycle.edit("romeo", { base: "nosuch" });
    expect(wrong.ok).toBe(true);
    await world.startWorker();

    const failed = await world.executor.runOnce({ slug: "romeo" });
    if (!failed.ok) throw new Error(failed.message);
    expect(failed.runs.map((run) => run.outcome)).toEqual(["failed"]);
    // The report carries the way forward, as a local run's does: `planbot execute` words it as the edit.
    expect(failed.runs[0]!.failure?.details).toMatchObject({ slug: "romeo", next: "edit", field: "base" });
    const entry = await world.entry("romeo");
    expect(entry.status).toBe("failed");
    expect(entry.error).toMatch(/base branch "nosuch"/);
    expect(readErrorFix(entry)).toBe("base");

    const fixed = await world.lifecycle.edit("romeo", { base: "main" });
    expect(fixed.ok).toBe(true);
    const approved = await world.lifecycle.approve("romeo");
    if (!approved.ok) throw new Error(approved.message);
    const again = await world.executor.runOnce({ slug: "romeo" });
    if (!again.ok) throw new Error(again.message);
    expect(again.runs.map((run) => run.outcome)).toEqual(["complete"]);
    const done = await waitUntil("the run recorded complete", async () => {
      const current = await world.entry("romeo");
      return current.status === "complete" ? current : undefined;
    });
    expect(readErrorFix(done)).toBeNull();
  });
});
