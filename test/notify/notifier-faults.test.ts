/**
 * Nothing lost, nothing doubled: failed sends retry with backoff, a planbot killed between the
 * transition and the send delivers once after restart, one killed after the send never re-sends.
 * "Killed" is a real SIGKILL of a child process running the same stack (test/notify/notify-worker.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createNotifier } from "../../src/notify/notifier.ts";
import { createNotificationStateFile } from "../../src/notify/notification-state.ts";
import { silentLogger } from "../../src/log.ts";
import type { ChangeWatcher, ProjectChange, WatchedState } from "../../src/projects/change-watcher.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { fail } from "../../src/projects/result.ts";
import { createStoreHealth } from "../../src/projects/store-health.ts";
import {
  createNotifyStack,
  createRecordingOutbound,
  putEntry,
  putPlanningSession,
  prdWith,
  readNotificationState,
  sleep,
  waitUntil,
  writePrd,
  type NotifyStack,
  type RecordingOutbound,
} from "../helpers/notify-fixtures.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();
const workerPath = fileURLToPath(new URL("./notify-worker.ts", import.meta.url));

const OPS = "memory:ops";
const PLAN_CHAT = "memory:plan-chat";

const dirs = () => notifyDirs(temp, "notify-faults-");

function stack(root: string, dataDir: string, memory: RecordingOutbound, backoffMs = 20): NotifyStack {
  const created = createNotifyStack({ root, dataDir, memory, backoffMs });
  defer(() => created.stop());
  return created;
}

/** alpha: running, 0/2 stories; planned in memory:plan-chat. */
async function project(setup: Awaited<ReturnType<typeof dirs>>) {
  await putEntry(setup.store, {
    name: "alpha",
    status: "running",
    pid: null,
    branch: "ralph/alpha",
    started_at: new Date().toISOString(),
  });
  writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [false, false]));
  await putPlanningSession(setup.dataDir, "alpha", { adapter: "memory", channelId: "plan-chat" });
}

const completeTexts = (memory: RecordingOutbound, key: string) =>
  memory.to(key).filter((delivery) => /is complete/.test(delivery.reply.text));

/** A line the worker printed (`ready`, or `attempt` per send). */
type WorkerLine = { type: string; [key: string]: unknown };

/**
 * Starts the worker and resolves once it prints `ready` (its notifier runs), or rejects as soon as it
 * exits without, with its stderr. No deadline of its own: starting node with tsx and the runtime is pure
 * CPU, seconds on an idle machine and several times that on a loaded one; the test's timeout is the net.
 */
async function startWorker(root: string, dataDir: string, mode: "hang" | "deliver", out: string) {
  // No execa timeout either: the worker exits when its stdin closes, i.e. when this process is gone.
  const child = execa(
    "node",
    ["--import", "tsx", workerPath, "--root", root, "--data-dir", dataDir, "--mode", mode, "--out", out],
    { cwd: fileURLToPath(new URL("../..", import.meta.url)), reject: false, buffer: false },
  );
  defer(async () => {
    child.kill("SIGKILL");
    await child.catch(() => undefined);
  });
  const lines: WorkerLine[] = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      lines.push(JSON.parse(buffered.slice(0, newline)) as WorkerLine);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
    for (const wake of [...waiters]) wake();
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = child.then((result) => result);
  /** Resolves once the worker has printed `count` lines of `type`; rejects if it exits first. */
  const printed = (type: string, count = 1) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (lines.filter((line) => line.type === type).length < count) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void exited.then((result) => {
        waiters.delete(check);
        reject(
          new Error(
            `the worker exited (${result.exitCode ?? result.signal}) before ${count} "${type}" line(s); stderr: ${stderr}`,
          ),
        );
      });
    });
  await printed("ready");
  return { child, lines, printed };
}

describe("failed sends retry with backoff", () => {
  it("a platform failing three times in a row: delivered once afterwards, to every chat", async () => {
    const setup = await dirs();
    await project(setup);
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();

    memory.failNext(3);
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await waitUntil(() => (readNotificationState(setup.dataDir)?.outbox ?? []).some((item) => item.attempts > 0));
    const failing = readNotificationState(setup.dataDir)!.outbox.find((item) => item.attempts > 0)!;
    expect(failing.last_error).toBe("the platform answered 500");
    expect(Date.parse(failing.next_attempt_at)).toBeGreaterThan(Date.parse(failing.created_at));

    await memory.waitFor((sent) => sent.length >= 2, 5000);
    await sleep(200);
    expect(completeTexts(memory, OPS)).toHaveLength(1);
    expect(completeTexts(memory, PLAN_CHAT)).toHaveLength(1);
    expect(memory.sent).toHaveLength(2);
    expect(memory.attempts.filter((attempt) => !attempt.ok)).toHaveLength(3);
    expect(readNotificationState(setup.dataDir)!.outbox).toEqual([]);
  });

  it("rate limited: the next attempt waits for retryAfterMs, then the message is delivered once", async () => {
    const setup = await dirs();
    await project(setup);
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();

    memory.failNext(2, fail("rate_limited", "slow down", { details: { retryAfterMs: 300, permanent: false } }));
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await memory.waitFor((sent) => sent.length >= 2, 5000);
    await sleep(100);

    expect(memory.sent).toHaveLength(2);
    const [first, second, third] = memory.attempts;
    expect([first!.ok, second!.ok, third!.ok]).toEqual([false, false, true]);
    // The first failure held its chat; the other chat was tried in the same pass and failed too.
    const retried = memory.attempts.filter(
      (attempt) =>
        `${attempt.target.adapter}:${attempt.target.channelId}` ===
        `${first!.target.adapter}:${first!.target.channelId}`,
    );
    expect(retried[1]!.at - retried[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it("a chat's messages keep their order: a later transition waits behind a failing one", async () => {
    const setup = await dirs();
    await putEntry(setup.store, { name: "alpha", status: "pending" });
    await putEntry(setup.store, { name: "beta", status: "pending" });
    const memory = createRecordingOutbound();
    // alpha's first send fails and waits 1.5 s for its retry; beta's transition comes meanwhile.
    const running = stack(setup.root, setup.dataDir, memory, 1500);
    await running.start();

    memory.failNext(1);
    await putEntry(setup.store, { name: "alpha", status: "planning" });
    await waitUntil(() => memory.attempts.length === 1);
    await putEntry(setup.store, { name: "beta", status: "planning" });
    await waitUntil(() => readNotificationState(setup.dataDir)?.outbox.length === 2);
    await memory.waitFor((sent) => sent.length >= 2, 5000);
    expect(memory.sent.map((delivery) => delivery.reply.text)).toEqual([
      "Planning started for **alpha**.",
      "Planning started for **beta**.",
    ]);
    expect(memory.sent[1]!.at - memory.attempts[0]!.at).toBeGreaterThanOrEqual(1400);
  });

  it("a permanent failure is given up after three attempts; other chats still get theirs", async () => {
    const setup = await dirs();
    await project(setup);
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    const original = memory.outbound.send;
    memory.outbound.send = async (target, reply) =>
      target.channelId === "plan-chat"
        ? fail("send_failed", "chat not found", { details: { permanent: true } })
        : original(target, reply);
    await running.start();

    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await memory.waitFor((sent) => sent.length >= 1);
    await waitUntil(
      () => readNotificationState(setup.dataDir)?.outbox.length === 0,
      5000,
      () => JSON.stringify(readNotificationState(setup.dataDir)?.outbox),
    );
    expect(memory.to(OPS)).toHaveLength(1);
    expect(memory.to(PLAN_CHAT)).toHaveLength(0);
  });
});

/**
 * alpha, with notifications.json initialised by an earlier start (the first start is silent, as a previous
 * run would have left it), then the worker started in `mode` and alpha's run completed under it.
 */
async function completedInWorker(mode: "hang" | "deliver") {
  const setup = await dirs();
  await project(setup);
  const out = join(setup.root, "delivered.jsonl");
  const first = stack(setup.root, setup.dataDir, createRecordingOutbound());
  await first.start();
  await first.stop();
  const worker = await startWorker(setup.root, setup.dataDir, mode, out);
  writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
  return { setup, out, worker };
}

// The worker's start is CPU-bound (seconds idle, several times that on a loaded machine): 60 s is a net
// for a machine that is busier still, not a figure a passing run comes near (about 5 s each idle).
describe("restarts", { timeout: 60_000 }, () => {
  it("killed between the transition and the send: the queued message is delivered once after restart", async () => {
    const { setup, out, worker } = await completedInWorker("hang");
    // The transition is persisted (outbox + last status) and a send is in flight: kill -9 now.
    await worker.printed("attempt");
    const queued = readNotificationState(setup.dataDir)!;
    expect(queued.last_status.alpha).toBe("complete");
    expect(queued.outbox.map((item) => `${item.target.adapter}:${item.target.channel_id}`).sort()).toEqual([
      OPS,
      PLAN_CHAT,
    ]);
    worker.child.kill("SIGKILL");
    await worker.child;
    expect(existsSync(out)).toBe(false);

    const memory = createRecordingOutbound();
    const restarted = stack(setup.root, setup.dataDir, memory);
    await restarted.start();
    await memory.waitFor((sent) => sent.length >= 2);
    await sleep(200);
    expect(completeTexts(memory, OPS)).toHaveLength(1);
    expect(completeTexts(memory, PLAN_CHAT)).toHaveLength(1);
    expect(memory.sent).toHaveLength(2);
    expect(readNotificationState(setup.dataDir)!.outbox).toEqual([]);
  });

  it("killed after the send: a restart sends nothing again", async () => {
    const { setup, out, worker } = await completedInWorker("deliver");
    // Both sends made (each is printed before it is appended to `out`), then the outbox settles.
    await worker.printed("attempt", 2);
    await waitUntil(
      () =>
        existsSync(out) &&
        readFileSync(out, "utf8").trim().split("\n").length === 2 &&
        readNotificationState(setup.dataDir)?.outbox.length === 0,
    );
    worker.child.kill("SIGKILL");
    await worker.child;
    const delivered = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { target: { channelId: string }; text: string });
    expect(delivered.map((line) => line.target.channelId).sort()).toEqual(["ops", "plan-chat"]);
    expect(delivered.every((line) => /is complete/.test(line.text))).toBe(true);

    const memory = createRecordingOutbound();
    const restarted = stack(setup.root, setup.dataDir, memory);
    await restarted.start();
    await restarted.notifier.flush();
    await sleep(300);
    expect(memory.attempts).toEqual([]);
    // Still alive: the next transition is announced.
    await putEntry(setup.store, { name: "alpha", status: "failed", error: "tests broke" });
    await memory.waitFor((sent) => sent.length >= 2);
    expect(memory.sent.map((delivery) => delivery.reply.text.split(",")[0])).toEqual([
      "**alpha** failed: tests broke",
      "**alpha** failed: tests broke",
    ]);
  });
});

describe("start-up window", () => {
  it("a transition the watcher publishes while the notifier is starting is not lost", async () => {
    const setup = await dirs();
    await project(setup);
    // A real record of alpha (idle, 0/2) from a real runtime, and notifications.json from an earlier run.
    const seed = stack(setup.root, setup.dataDir, createRecordingOutbound());
    await seed.start();
    const idle = seed.runtime.watcher.current();
    await seed.stop();
    expect(readNotificationState(setup.dataDir)?.last_status).toEqual({ alpha: "idle" });

    // A watcher that publishes "alpha complete" right after the notifier took its snapshot, as a real
    // watcher does when a prd.json is written during planbot start.
    const complete = { ...idle.list.projects[0]!, status: "complete" as const, stories_done: 2 };
    const listeners = new Set<(change: ProjectChange) => void>();
    let state: WatchedState = idle;
    let published = false;
    const watcher: ChangeWatcher = {
      start: async () => undefined,
      stop: async () => undefined,
      refresh: async () => undefined,
      storeHealth: createStoreHealth(() => undefined),
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      current() {
        const snapshot = state;
        if (!published) {
          published = true;
          // Asynchronously, but before any file I/O of the notifier completes.
          queueMicrotask(() => {
            state = { sequence: idle.sequence + 1, signature: "after", list: { ...idle.list, projects: [complete] } };
            for (const listener of listeners)
              listener({ ...state, changed: [{ slug: "alpha", before: idle.list.projects[0], after: complete }] });
          });
        }
        return snapshot;
      },
    };
    const memory = createRecordingOutbound();
    const notifier = createNotifier({
      watcher,
      outbound: memory.outbound,
      chatsForProject: async () => [],
      canDeliverTo: () => true,
      notifyTargets: [{ adapter: "memory", channelId: "ops" }],
      clock: systemClock,
      log: silentLogger,
      dataDir: setup.dataDir,
      workspaceDir: setup.workspaceDir,
      backoffMs: 20,
    });
    defer(() => notifier.stop());
    await notifier.start();
    expect(published).toBe(true);
    await memory.waitFor((sent) => sent.length >= 1, 10_000).catch(() => undefined);
    expect(completeTexts(memory, OPS)).toHaveLength(1);
    const persisted = await createNotificationStateFile(setup.dataDir).read();
    expect(persisted.ok && persisted.data.last_status.alpha).toBe("complete");
  });
});
