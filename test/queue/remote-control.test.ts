import { describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/git-fixtures.ts";
import { type QueueWorldOptions, ralphsIn, type WorkerProcess } from "./harness.ts";
import { count, useQueueFixture } from "./queue-fixture.ts";

// Progress, stopping and faults of remote runs: a real redis-server, real `bin/planbot worker` processes
// running the fake ralph.sh (FAKE_RALPH_MODE=hang: iteration 1 passes its story and commits, then Ralph
// sleeps until killed), and the bot's queue executor in this process.
const fixture = useQueueFixture();
const setUp = async (options: QueueWorldOptions = {}) => (await fixture.setUp(options)).world;
const HANG = { FAKE_RALPH_MODE: "hang", FAKE_RALPH_COMMIT: "1" };

describe("remote runs: progress, stop and faults", { timeout: 120_000 }, () => {
  it("streams the run's progress as RunProgress and stops Ralph on the worker when the run is stopped", async () => {
    const world = await setUp({ lockMs: 10_000 });
    await world.approve("india");
    const worker = await world.startWorker(HANG);
    expect((await world.executor.runNow("india")).ok).toBe(true);
    const working = await waitUntil("progress after the first story", () =>
      world.progress.find((snapshot) => snapshot.slug === "india" && snapshot.storiesDone === 1 && snapshot.commits),
    );
    expect(working).toMatchObject({
      slug: "india",
      storiesTotal: 2,
      iteration: 1,
      maxIterations: 10,
      currentStory: { id: "US-2", title: expect.any(String) },
      commits: 1,
      lastCommit: expect.stringMatching(/US-1\b/),
      worker: worker.name,
      costUsd: null,
    });
    // One run, one id: every snapshot of it carries the same runId and startedAt.
    expect(new Set(world.progress.map((snapshot) => snapshot.runId)).size).toBe(1);
    expect(Date.parse(working.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(working.startedAt));
    expect(ralphsIn([worker.workspaceDir])).toBe(1);

    const stopped = await world.executor.stopRun("india", "cancelled");
    expect(stopped).toEqual({ ok: true, stopped: true });
    // Resolved once recorded: the project failed, saying why, and Ralph's group is gone from the worker.
    const entry = await world.entry("india");
    expect(entry.status).toBe("failed");
    expect(entry.error).toMatch(/^stopped: cancelled/);
    expect((await world.queueRun("india"))?.state).toBe("cancelled");
    await waitUntil("Ralph gone on the worker", () => ralphsIn([worker.workspaceDir]) === 0);
    expect(await world.executor.stopRun("india", "cancelled")).toEqual({ ok: true, stopped: false });
    await waitUntil("the failure seen", () => world.transitions.includes("india:failed"));
    expect(count(world.transitions, "india:failed")).toBe(1);
  });

  it("cancelling a project whose run is on a worker stops Ralph there; the project stays cancelled", async () => {
    const world = await setUp({ lockMs: 10_000 });
    await world.approve("juliet");
    const worker = await world.startWorker(HANG);
    expect((await world.executor.runNow("juliet")).ok).toBe(true);
    await waitUntil("the first story passed", () =>
      world.progress.some((snapshot) => snapshot.slug === "juliet" && snapshot.storiesDone === 1),
    );
    expect((await world.lifecycle.cancel("juliet")).ok).toBe(true);
    const run = await waitUntil("the run recorded as cancelled", async () => {
      const current = await world.queueRun("juliet");
      return current?.state === "cancelled" ? current : undefined;
    });
    expect(run.worker).toBe(worker.name);
    expect((await world.entry("juliet")).status).toBe("cancelled");
    await waitUntil("Ralph gone on the worker", () => ralphsIn([worker.workspaceDir]) === 0);
  });

  it("fails a run whose worker was SIGKILLed with no other worker alive, once, and its Ralph dies with it", async () => {
    const world = await setUp({ lockMs: 1000 });
    await world.approve("kilo");
    const worker = await world.startWorker(HANG);
    expect((await world.executor.runNow("kilo")).ok).toBe(true);
    await waitUntil("the first story passed", () =>
      world.progress.some((snapshot) => snapshot.slug === "kilo" && snapshot.storiesDone === 1),
    );
    worker.child.kill("SIGKILL");
    await waitUntil("the killed worker's Ralph gone", () => ralphsIn([worker.workspaceDir]) === 0);
    // No worker is alive: the bot's own stalled-job check notices the expired lock.
    const entry = await waitUntil(
      "the run failed",
      async () => ((await world.queueRun("kilo"))?.state === "failed" ? world.entry("kilo") : undefined),
      30_000,
    );
    expect(entry.status).toBe("failed");
    expect(entry.error).toMatch(/stopped answering/);
    await waitUntil("the failure seen", () => world.transitions.includes("kilo:failed"));
    await world.executor.reconcileFinishedRuns();
    expect(count(world.transitions, "kilo:failed")).toBe(1);
  });

  it("with QUEUE_STALL_RETRIES=1 a dead worker's run starts again on the next worker and completes", async () => {
    const world = await setUp({ lockMs: 1000, stallRetries: 1 });
    await world.approve("lima");
    const first = await world.startWorker(HANG);
    expect((await world.executor.runNow("lima")).ok).toBe(true);
    await waitUntil("the first story passed", () =>
      world.progress.some((snapshot) => snapshot.slug === "lima" && snapshot.storiesDone === 1),
    );
    first.child.kill("SIGKILL");
    await waitUntil("the killed worker's Ralph gone", () => ralphsIn([first.workspaceDir]) === 0);
    // No worker is alive: the bot's own stalled check puts the run back, and the record says it waits.
    const orphaned = await waitUntil("the run put back", async () => {
      const run = await world.queueRun("lima");
      return run?.worker === null ? run : undefined;
    });
    expect(orphaned.state).toBe("running");
    expect(orphaned.error).toMatch(/stopped answering; the run waits for another worker/);
    const second = await world.startWorker();
    const entry = await waitUntil(
      "the retried run complete",
      async () => ((await world.queueRun("lima"))?.state === "complete" ? world.entry("lima") : undefined),
      30_000,
    );
    expect(entry.status).toBe("complete");
    expect(await world.queueRun("lima")).toMatchObject({ worker: second.name, error: null });
    await waitUntil("the completion seen", () => world.transitions.includes("lima:complete"));
    expect(count(world.transitions, "lima:failed")).toBe(0);
    expect(count(world.transitions, "lima:complete")).toBe(1);
  });

  it("planbot restarted mid-run: progress goes on under the same run id and the completion is recorded once", async () => {
    const world = await setUp({ lockMs: 10_000, ralphDelayMs: 3000 });
    await world.approve("mike");
    await world.startWorker();
    expect((await world.executor.runNow("mike")).ok).toBe(true);
    const before = await waitUntil("the first story passed", () =>
      world.progress.find((snapshot) => snapshot.slug === "mike" && snapshot.storiesDone === 1),
    );
    const seenBefore = world.progress.length;
    await world.restartBot();
    const after = await waitUntil("progress heard by the restarted bot", () =>
      world.progress.slice(seenBefore).find((snapshot) => snapshot.storiesDone === 2),
    );
    expect(after.runId).toBe(before.runId);
    const entry = await waitUntil(
      "the run complete",
      async () => ((await world.queueRun("mike"))?.state === "complete" ? world.entry("mike") : undefined),
      30_000,
    );
    expect(entry.status).toBe("complete");
    await waitUntil("the completion seen", () => world.transitions.includes("mike:complete"));
    await world.executor.reconcileFinishedRuns();
    expect(count(world.transitions, "mike:complete")).toBe(1);
    expect(count(world.transitions, "mike:running-ralph")).toBe(1);
  });

  it("a worker that took the run while planbot was down: the restarted bot records it running from its progress", async () => {
    const world = await setUp({ lockMs: 10_000, ralphDelayMs: 3000 });
    await world.approve("oscar");
    expect((await world.executor.runNow("oscar")).ok).toBe(true);
    let worker: WorkerProcess | undefined;
    await world.restartBot(async () => {
      worker = await world.startWorker();
      await waitUntil("Ralph working while no bot listens", () => ralphsIn([worker!.workspaceDir]) === 1);
    });
    const running = await waitUntil("recorded running from a progress sample", async () => {
      const run = await world.queueRun("oscar");
      return run?.state === "running" ? run : undefined;
    });
    expect(running.worker).toBe(worker!.name);
    await waitUntil("the run complete", async () => (await world.queueRun("oscar"))?.state === "complete", 30_000);
    await waitUntil("the completion seen", () => world.transitions.includes("oscar:complete"));
    expect(count(world.transitions, "oscar:running-ralph")).toBe(1);
    expect(count(world.transitions, "oscar:complete")).toBe(1);
    expect(world.progress.some((snapshot) => snapshot.slug === "oscar" && snapshot.worker === worker!.name)).toBe(true);
  });
});
