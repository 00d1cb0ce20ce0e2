import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRunGuard } from "../../src/execute/run-guard.ts";
import type { RunProgress, StopReason } from "../../src/execute/run-progress.ts";
import { silentLogger } from "../../src/log.ts";
import { stallReply } from "../../src/notify/progress-text.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { waitUntil } from "../helpers/git-fixtures.ts";
import { useQueueFixture } from "./queue-fixture.ts";

// Workers whose clocks are off: real redis-server, real `bin/planbot worker` processes with their `Date`
// shifted (test/helpers/clock-skew-preload.mjs), the fake ralph.sh in "hang" mode (story 1 passes and
// commits, then Ralph is silent), and the real run guard in the bot reading the queue's progress.
const { setUp } = useQueueFixture();

const SKEW_PRELOAD = join(import.meta.dirname, "..", "helpers", "clock-skew-preload.mjs");
const HOUR = 3_600_000;
const skewedWorker = (skewMs: number) => ({
  FAKE_RALPH_MODE: "hang",
  FAKE_RALPH_COMMIT: "1",
  NODE_OPTIONS: `--import ${SKEW_PRELOAD}`,
  PLANBOT_TEST_CLOCK_SKEW_MS: String(skewMs),
});

describe("remote runs on workers whose clocks are off", { timeout: 120_000 }, () => {
  it("a silent run gets its stall notice by the bot's clock, and RALPH_MAX_MINUTES counts from the bot's start", async () => {
    const stalls: { progress: RunProgress; text: string }[] = [];
    const stops: { slug: string; reason: StopReason }[] = [];
    // RALPH_STALL_MINUTES=0.05 (3 s) and RALPH_MAX_MINUTES=60, as `planbot start` wires the guard.
    const guard = createRunGuard({
      stopper: {
        stopRun: async (slug, reason) => {
          stops.push({ slug, reason });
          return world.executor.stopRun(slug, reason);
        },
      },
      maxMinutes: 60,
      stallMinutes: 0.05,
      clock: systemClock,
      log: silentLogger,
      onStall: (progress, quietMinutes) =>
        stalls.push({ progress, text: stallReply(progress, quietMinutes, 0.05, new Date()).text }),
    });
    const { world } = await setUp({ lockMs: 10_000, onProgress: guard, heartbeatMs: 200 });
    await world.approve("ahead");
    await world.approve("behind");
    // One worker an hour ahead, one two hours behind: each takes one run.
    await world.startWorker(skewedWorker(HOUR));
    await world.startWorker(skewedWorker(-2 * HOUR));
    expect((await world.executor.runNow("ahead")).ok).toBe(true);
    expect((await world.executor.runNow("behind")).ok).toBe(true);

    for (const slug of ["ahead", "behind"]) {
      const stall = await waitUntil(
        `${slug}: the stall notice`,
        () => stalls.find((notice) => notice.progress.slug === slug),
        60_000,
      );
      // Quiet for seconds by the bot's clock, on story 2 after story 1 passed; the run was not stopped.
      expect(stall.text).toMatch(
        new RegExp(
          `^\\*\\*${slug}\\*\\* may be stuck: no change to prd\\.json and no new output from Ralph for \\d+ s \\(RALPH_STALL_MINUTES=0\\.05\\)\\. It is on story 2/2`,
        ),
      );
      expect(stall.text).toContain("less than a minute elapsed");
      // The times are the bot's: not an hour ahead, not two hours behind.
      const botNow = Date.now();
      for (const time of [stall.progress.startedAt, stall.progress.lastActivityAt])
        expect(Math.abs(botNow - Date.parse(time))).toBeLessThan(10 * 60_000);
      expect((await world.entry(slug)).status).toBe("running");
    }
    expect(stalls.filter((notice) => notice.progress.slug === "ahead")).toHaveLength(1);
    expect(stalls.filter((notice) => notice.progress.slug === "behind")).toHaveLength(1);
    // Two hours behind would have looked past RALPH_MAX_MINUTES=60 at once on the worker's clock.
    expect(stops).toEqual([]);
    // The worker's own activity time is kept as information, an hour ahead of the bot's.
    const ahead = (await world.queueRun("ahead"))?.progress;
    expect(Date.parse(ahead!.worker_activity_at!) - Date.parse(ahead!.last_activity_at!)).toBeGreaterThan(HOUR / 2);
  });
});
