import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { git, waitUntil } from "../helpers/git-fixtures.ts";
import { ralphsIn } from "./harness.ts";
import { count, useQueueFixture } from "./queue-fixture.ts";

// Real redis-server, real `bin/planbot worker` processes, the fake ralph.sh committed in a bare remote.
const { setUp } = useQueueFixture();

describe("the BullMQ run queue", { timeout: 120_000 }, () => {
  it("runs four projects on two workers, at most two at once, each recorded and announced once", async () => {
    const { world } = await setUp({ ralphDelayMs: 150, lockMs: 10_000 });
    const slugs = ["alpha", "bravo", "charlie", "delta"];
    for (const slug of slugs) await world.approve(slug);
    const workers = [await world.startWorker(), await world.startWorker()];
    // Real concurrency: Ralph processes working in the workers' folders right now.
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, ralphsIn(workers.map((worker) => worker.workspaceDir)));
    }, 20);
    const result = await world.executor.runOnce();
    clearInterval(sampler);
    if (!result.ok) throw new Error(result.message);
    expect(result.runs.map((run) => [run.slug, run.outcome, run.outcome === "complete" ? "" : run.message])).toEqual(
      slugs.map((slug) => [slug, "complete", ""]),
    );
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    const used = new Set<string>();
    for (const slug of slugs) {
      const entry = await world.entry(slug);
      const run = (entry as unknown as { queue_run: { state: string; worker: string; finished_at: string } }).queue_run;
      expect(entry.status).toBe("complete");
      expect(run.state).toBe("complete");
      expect(run.finished_at).toEqual(expect.any(String));
      expect(entry.started_at).toEqual(expect.any(String));
      used.add(run.worker);
      // The worker pushed the branch (PUSH_ON=complete) and the bot recorded it.
      expect((entry.delivery as { pushed: boolean }).pushed).toBe(true);
      expect(await git(world.remote.path, ["rev-parse", "--verify", `refs/heads/ralph/${slug}`])).toMatch(
        /^[0-9a-f]{40}$/,
      );
      // The final prd.json came back into the bot's workspace.
      const prd = JSON.parse(
        await readFile(join(world.root, "bot", "workspace", slug, "scripts", "ralph", "prd.json"), "utf8"),
      ) as { userStories: { passes: boolean }[] };
      expect(prd.userStories.every((story) => story.passes)).toBe(true);
    }
    expect([...used].sort()).toEqual(workers.map((worker) => worker.name).sort());
    await waitUntil("every completion seen", () =>
      slugs.every((slug) => world.transitions.includes(`${slug}:complete`)),
    );
    for (const slug of slugs) {
      expect(count(world.transitions, `${slug}:running-ralph`)).toBe(1);
      expect(count(world.transitions, `${slug}:complete`)).toBe(1);
    }
  });

  it("refuses to queue a project twice and fails a run whose worker was SIGKILLed, once", async () => {
    const { world } = await setUp({ lockMs: 2000, ralphDelayMs: 3000 });
    await world.approve("slowpoke");
    const queued = await world.executor.runNow("slowpoke");
    expect(queued.ok, JSON.stringify(queued)).toBe(true);
    const again = await world.executor.runNow("slowpoke");
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.message).toMatch(/already waiting in the job queue/);
    const first = await world.startWorker();
    const run = await waitUntil("the run started", async () => {
      const current = await world.queueRun("slowpoke");
      return current?.state === "running" ? current : undefined;
    });
    expect(run.worker).toBe(first.name);
    await world.startWorker();
    first.child.kill("SIGKILL");
    const failed = await waitUntil(
      "the run failed",
      async () => ((await world.queueRun("slowpoke"))?.state === "failed" ? world.entry("slowpoke") : undefined),
      20_000,
    );
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/stopped answering/);
    // Ralph's process group died with its worker (the reaper), so it no longer works on a failed run.
    await waitUntil("the killed worker's Ralph gone", () => ralphsIn([first.workspaceDir]) === 0);
    await waitUntil("the failure seen", () => world.transitions.includes("slowpoke:failed"));
    await world.executor.reconcileFinishedRuns();
    expect(count(world.transitions, "slowpoke:failed")).toBe(1);
  });

  it("says so when Redis is unreachable, and queued runs go on after Redis is stopped and started", async () => {
    const { redis, world } = await setUp({ persistent: true, ralphDelayMs: 100, lockMs: 10_000 });
    await world.approve("echo");
    await world.approve("foxtrot");
    expect((await world.executor.runNow("echo")).ok).toBe(true);
    expect((await world.executor.runNow("foxtrot")).ok).toBe(true);
    await redis.stop();
    await world.approve("golf");
    const refused = await waitUntil("a refusal", async () => {
      const attempt = await world.executor.runNow("golf");
      return attempt.ok ? undefined : attempt;
    });
    expect(refused.code).toBe("not_available");
    expect(refused.message).toMatch(/job queue at redis:\/\/127\.0\.0\.1:\d+ is not reachable/);
    expect(refused.message).toContain("Start Redis (or fix PLANBOT_QUEUE_URL) and try again.");
    // A chat member can start no Redis: the reply names the problem and whom to tell.
    expect(failureReply(refused).text).toBe(
      "planbot's job queue is not reachable, so the run was not queued. Please tell planbot's admin: it can only be fixed on the server planbot runs on. `/status` shows where things stand.",
    );
    expect(await world.queueRun("golf")).toBeUndefined();
    await redis.start();
    await world.startWorker();
    for (const slug of ["echo", "foxtrot"]) {
      const entry = await waitUntil(
        `${slug} complete`,
        async () => ((await world.queueRun(slug))?.state === "complete" ? world.entry(slug) : undefined),
        20_000,
      );
      expect(entry.status).toBe("complete");
    }
  });

  it("cancelling a project while its run waits removes the job; no worker ever runs it", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await world.approve("hotel");
    expect((await world.executor.runNow("hotel")).ok).toBe(true);
    const cancelled = await world.lifecycle.cancel("hotel");
    expect(cancelled.ok).toBe(true);
    const run = await waitUntil("the job cancelled", async () => {
      const current = await world.queueRun("hotel");
      return current?.state === "cancelled" ? current : undefined;
    });
    expect(run.worker).toBeNull();
    const worker = await world.startWorker();
    // A fresh run can be queued again after the project is approved anew, and it is this one a worker takes.
    expect((await world.lifecycle.approve("hotel")).ok).toBe(true);
    const again = await world.executor.runOnce({ slug: "hotel" });
    if (!again.ok) throw new Error(again.message);
    expect(again.runs.map((report) => report.outcome)).toEqual(["complete"]);
    expect((await world.queueRun("hotel"))?.worker).toBe(worker.name);
    // An unknown slug is data for the surface to word, as with the local executor.
    expect(await world.executor.runOnce({ slug: "nope" })).toMatchObject({
      ok: false,
      code: "not_found",
      details: { slug: "nope", next: "list" },
    });
  });
});
