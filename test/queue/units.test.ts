import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startRalphReaper } from "../../src/queue/ralph-reaper.ts";
import { setQueueRun } from "../../src/queue/queue-run.ts";
import { storedRunProgress } from "../../src/queue/remote-heartbeat.ts";
import { toRunProgress } from "../../src/queue/remote-progress.ts";
import type { RunJobProgress } from "../../src/queue/run-job.ts";
import { currentStory } from "../../src/queue/run-progress.ts";
import { groupAlive, killGroups, waitUntil } from "../helpers/git-fixtures.ts";

describe("remote progress pieces", () => {
  it("the current story is the first not passing by priority, file order breaking ties", () => {
    const story = (id: string, priority: unknown, passes = false) => ({ id, title: `T ${id}`, priority, passes });
    expect(currentStory({ userStories: [story("a", 2), story("b", 1), story("c", 1)] })).toEqual({
      id: "b",
      title: "T b",
    });
    expect(currentStory({ userStories: [story("a", 1, true), story("b", "high")] })).toEqual({ id: "b", title: "T b" });
    expect(currentStory({ userStories: [story("a", 1, true)] })).toBeNull();
    expect(currentStory(null)).toBeNull();
  });

  it("a sample from a worker without the newer fields still makes a complete RunProgress, timed on the bot's clock", () => {
    const sample: RunJobProgress = {
      phase: "running",
      worker: "w:1",
      storiesDone: 1,
      storiesTotal: 3,
      iteration: 2,
      commits: 1,
      logTail: "",
      prd: null,
    };
    const progress = toRunProgress("oscar", sample, {
      startedAt: "2026-12-01T10:00:00.000Z",
      lastActivityAt: "2026-12-01T10:05:00.000Z",
    });
    expect(progress).toEqual({
      slug: "oscar",
      runId: "2026-12-01T10:00:00.000Z",
      startedAt: "2026-12-01T10:00:00.000Z",
      storiesDone: 1,
      storiesTotal: 3,
      currentStory: null,
      iteration: 2,
      maxIterations: null,
      lastCommit: null,
      commits: 1,
      costUsd: null,
      worker: "w:1",
      lastActivityAt: "2026-12-01T10:05:00.000Z",
    });
  });

  it("a run's recorded progress publishes again as what its sample published", () => {
    const sample: RunJobProgress = {
      phase: "running",
      worker: "w:2",
      startedAt: "2026-12-01T09:59:58.000Z",
      storiesDone: 2,
      storiesTotal: 5,
      currentStory: { id: "US-3", title: "Third" },
      iteration: 4,
      maxIterations: 10,
      commits: 3,
      lastCommit: "feat: third",
      logTail: "working",
      prd: null,
    };
    const times = { startedAt: "2026-12-01T10:00:00.000Z", lastActivityAt: "2026-12-01T10:07:00.000Z" };
    // The fields recordProgress stores from that sample, on a running run.
    const entry = { name: "papa", status: "running" };
    setQueueRun(entry, {
      job_id: "papa:1",
      state: "running",
      worker: "w:2",
      queued_at: "2026-12-01T09:59:00.000Z",
      started_at: times.startedAt,
      finished_at: null,
      outcome: null,
      error: null,
      progress: {
        stories_done: 2,
        stories_total: 5,
        iteration: 4,
        commits: 3,
        log_tail: "working",
        current_story: { id: "US-3", title: "Third" },
        max_iterations: 10,
        last_commit: "feat: third",
        last_activity_at: times.lastActivityAt,
        run_id: sample.startedAt ?? null,
      },
    });
    expect(storedRunProgress(entry)).toEqual(toRunProgress("papa", sample, times));
    expect(storedRunProgress(entry)?.runId).toBe("2026-12-01T09:59:58.000Z");
  });
});

describe("the Ralph reaper", () => {
  /** A process group of its own (a stand-in for Ralph and its agent), led by a long sleep. */
  const group = () => {
    const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    child.unref();
    return child.pid!;
  };

  it("kills the group when its owner goes away, and leaves it alone once disarmed", async () => {
    const doomed = group();
    const kept = group();
    try {
      // The owner is a child node process holding the reaper's pipe; it dies by SIGKILL.
      const owner = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "-e",
          `import("${new URL("../../src/queue/ralph-reaper.ts", import.meta.url).pathname}").then((m) => { m.startRalphReaper(${doomed}, 1); setInterval(() => {}, 1000); process.stdout.write("ready\\n"); });`,
        ],
        { stdio: ["ignore", "pipe", "ignore"] },
      );
      await new Promise<void>((resolve) => owner.stdout!.once("data", () => resolve()));
      owner.kill("SIGKILL");
      await waitUntil("the group killed", () => !groupAlive(doomed));
      const reaper = startRalphReaper(kept, 1);
      reaper.disarm();
      await reaper.done;
      expect(groupAlive(kept)).toBe(true);
    } finally {
      killGroups([doomed, kept]);
    }
  });
});
