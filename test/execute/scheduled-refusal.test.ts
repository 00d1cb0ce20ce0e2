// A run EXECUTE_AT starts and the preflight refuses: the real daily schedule (driven by a settable clock),
// the real executor and store, the real change watcher and the real notifier delivering to a recording
// outbound. The project stays approved, its chats hear the refusal once, and the refusal shows on its
// record until a person acts on the project.
import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Executor } from "../../src/execute/executor.ts";
import { scheduleDaily, type DailySchedule } from "../../src/execute/schedule.ts";
import { silentLogger } from "../../src/log.ts";
import { createNotifier, type Notifier } from "../../src/notify/notifier.ts";
import { createChangeWatcher, type ChangeWatcher } from "../../src/projects/change-watcher.ts";
import type { Clock } from "../../src/projects/clock.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createRecordingOutbound, sleep, type RecordingOutbound } from "../helpers/notify-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { cleanupHarnesses, createHarness, type Harness } from "./harness.ts";

const temp = createTempDirs();
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await cleanupHarnesses();
  await temp.cleanup();
});

/** A clock the test sets; the schedule re-reads it whenever its (short) timer fires. */
function settableClock(start: Date): Clock & { set(at: Date): void } {
  let now = start;
  return { now: () => now, set: (at) => (now = at) };
}

/** Local time on 2030-01-01 + `day` days. */
const local = (day: number, hours: number, minutes: number, seconds = 0) =>
  new Date(2030, 0, 1 + day, hours, minutes, seconds);

interface World {
  h: Harness;
  executor: Executor;
  watcher: ChangeWatcher;
  notifier: Notifier;
  memory: RecordingOutbound;
  /** Moves the schedule's clock to day `day`, 03:00:01, and resolves once that day's pass has ended. */
  tick(day: number): Promise<void>;
}

async function world(): Promise<World> {
  const h = await createHarness(temp);
  const executor = h.executor();
  const { dataDir, workspaceDir } = h.config;
  const watcher = createChangeWatcher({
    store: h.store,
    lister: h.lister,
    clock: h.clock,
    dataDir,
    workspaceDir,
    debounceMs: 10,
  });
  await watcher.start();
  stops.push(() => watcher.stop());
  const memory = createRecordingOutbound();
  const notifier = createNotifier({
    watcher,
    outbound: memory.outbound,
    chatsForProject: async () => [{ adapter: "memory", channelId: "plan-chat" }],
    canDeliverTo: () => true,
    notifyTargets: [{ adapter: "memory", channelId: "ops" }],
    executeAt: "03:00",
    clock: h.clock,
    log: silentLogger,
    dataDir,
    workspaceDir,
    backoffMs: 50,
  });
  // The first start records what it finds without announcing it; what follows is news.
  await notifier.start();
  stops.push(() => notifier.stop());

  const clock = settableClock(local(0, 2, 0));
  let passes = 0;
  const daily: DailySchedule = scheduleDaily({
    at: "03:00",
    clock,
    // As the runtime wires EXECUTE_AT (src/runtime/background.ts).
    run: async () => {
      await executor.runOnce();
      passes += 1;
    },
    maxWaitMs: 10,
  });
  stops.push(() => daily.stop());
  return {
    h,
    executor,
    watcher,
    notifier,
    memory,
    async tick(day) {
      const before = passes;
      clock.set(local(day, 3, 0, 1));
      await waitUntil(`the pass of day ${day}`, () => passes > before);
    },
  };
}

/** The refusal notices each chat got, by chat. */
const refusalTexts = (memory: RecordingOutbound, chat: string) =>
  memory
    .to(chat)
    .map((delivery) => delivery.reply.text)
    .filter((text) => text.includes("was not started"));

/** Waits until the watcher's record of `slug` has (or has no) refusal, then lets the notifier send what it queued. */
async function settled(w: World, slug: string, refused: boolean) {
  await waitUntil(`${slug}'s refusal ${refused ? "seen" : "cleared"}`, () => {
    const record = w.watcher.current().list.projects.find((candidate) => candidate.slug === slug);
    return record && Boolean(record.run_refusal) === refused;
  });
  await w.notifier.flush();
  await sleep(200);
  await w.notifier.flush();
}

describe("a scheduled run the preflight refuses", { timeout: 60_000 }, () => {
  it("keeps the project approved, tells its chats once (not on every tick) why and what to do, and shows it until re-approved", async () => {
    const w = await world();
    await w.h.approve("idea");

    await w.tick(0);
    const entry = await w.h.entry("idea");
    expect(entry).toMatchObject({ status: "approved", pid: null });
    expect(entry.error ?? null).toBeNull();
    await settled(w, "idea", true);
    for (const chat of ["memory:ops", "memory:plan-chat"]) {
      const texts = refusalTexts(w.memory, chat);
      expect(texts, JSON.stringify(w.memory.sent)).toHaveLength(1);
      expect(texts[0]).toMatch(/^\*\*idea\*\*: Ralph was not started: idea has no plan: /);
      expect(texts[0]).toContain("Fix: plan it first (/plan idea in a chat, or the dashboard)");
      expect(texts[0]).toContain(
        "Nothing ran: the project stays approved. Fix that, then run it again with `/run idea`.",
      );
      expect(w.memory.to(chat)[0]!.reply.actions?.map((action) => action.command)).toEqual([
        "/run idea",
        "/status idea",
      ]);
    }
    // Every surface reads the record: the reason is on it while the project waits.
    const record = await w.h.lister.get("idea");
    expect(record.ok && record.record).toMatchObject({
      status: "approved",
      run_refusal: {
        check: "plan",
        worker: null,
        message: expect.stringMatching(/^Ralph was not started: idea has no plan/),
      },
    });

    // The next days refuse it again for the same reason: nobody is told again.
    await w.tick(1);
    await w.tick(2);
    await w.notifier.flush();
    await sleep(200);
    expect(w.memory.sent.filter((delivery) => delivery.reply.text.includes("was not started"))).toHaveLength(2);

    // Another reason is news: a plan whose stories all pass.
    const done = samplePrd("idea", 1);
    done.userStories[0]!.passes = true;
    await writePlanningArtifacts(w.h.config.workspaceDir, "idea", { prd: done });
    await w.tick(3);
    await waitUntil("the second refusal told", () =>
      ["memory:ops", "memory:plan-chat"].every((chat) => refusalTexts(w.memory, chat).length === 2),
    );
    expect(refusalTexts(w.memory, "memory:ops")[1]).toMatch(/every story in scripts\/ralph\/prd.json already passes/);

    // Re-approved (a person acted): the refusal is gone from the entry and the record.
    await writeFile(workspacePaths(w.h.config.workspaceDir, "idea").prd, JSON.stringify(samplePrd("idea", 1)));
    const approved = await w.h.lifecycle.approve("idea");
    expect(approved.ok).toBe(true);
    expect((await w.h.entry("idea")) as Record<string, unknown>).not.toHaveProperty("run_refusal");
    await settled(w, "idea", false);
    expect(w.memory.sent.filter((delivery) => delivery.reply.text.includes("was not started"))).toHaveLength(4);
  });

  it("a /run refused is answered in its reply, so the chats are not told again — not even by the next scheduled tick", async () => {
    const w = await world();
    await w.h.approve("solo");
    const now = await w.executor.runNow("solo");
    expect(now).toMatchObject({ ok: false, details: { check: "plan" } });
    await settled(w, "solo", true);
    await w.tick(0);
    await w.notifier.flush();
    await sleep(200);
    expect(w.memory.sent.filter((delivery) => delivery.reply.text.includes("was not started"))).toEqual([]);
    expect((await w.h.entry("solo")).status).toBe("approved");
  });
});
