/**
 * The notifier end to end without a chat platform: a real runtime (change watcher over a temp data dir,
 * planning service, outbound router) with a recording in-memory Outbound registered as adapter
 * "memory", and a notifier whose notify channel is memory:ops.
 */
import { spawn } from "node:child_process";
import { chmodSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import {
  createNotifyStack,
  createRecordingOutbound,
  putEntry,
  putPlanningSession,
  prdWith,
  readNotificationState,
  sleep,
  statuses,
  writeLog,
  writePrd,
  type NotifyStack,
  type RecordingOutbound,
} from "../helpers/notify-fixtures.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { killGroup, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const PLAN_CHAT = "memory:plan-chat";
const BOUND_CHAT = "memory:bound-chat";
const OPS = "memory:ops";

const dirs = () => notifyDirs(temp, "notify-");

function stack(
  root: string,
  dataDir: string,
  memory: RecordingOutbound | undefined,
  extra: { backoffMs?: number; env?: Record<string, string> } = {},
): NotifyStack {
  const created = createNotifyStack({ root, dataDir, ...(memory ? { memory } : {}), ...extra });
  defer(() => created.stop());
  return created;
}

/** Texts delivered to one chat. */
const texts = (memory: RecordingOutbound, key: string) => memory.to(key).map((delivery) => delivery.reply.text);
const matching = (memory: RecordingOutbound, key: string, pattern: RegExp) =>
  texts(memory, key).filter((text) => pattern.test(text));

/** A project the executor is running (pid already gone) with 1 of 3 stories done, planned in memory:plan-chat. */
async function runningProject(setup: Awaited<ReturnType<typeof dirs>>, slug: string, startedMinutesAgo = 42) {
  await putEntry(setup.store, {
    name: slug,
    status: "running",
    pid: null,
    repo: `team/${slug}`,
    branch: `ralph/${slug}`,
    base_branch: "main",
    approved_at: new Date(Date.now() - 60 * 60_000).toISOString(),
    started_at: new Date(Date.now() - startedMinutesAgo * 60_000).toISOString(),
  });
  writePrd(setup.workspaceDir, slug, prdWith(slug, [true, false, false]));
  await putPlanningSession(
    setup.dataDir,
    slug,
    { adapter: "memory", channelId: "plan-chat" },
    { bound: [{ adapter: "memory", channelId: "bound-chat" }] },
  );
}

describe("notifier over a real watcher, in-memory outbound", () => {
  it("the first start records every status silently; later transitions are announced", async () => {
    const setup = await dirs();
    await runningProject(setup, "alpha");
    await putEntry(setup.store, { name: "beta", status: "failed", error: "boom" });
    await putEntry(setup.store, { name: "gamma", status: "pending" });
    writePrd(setup.workspaceDir, "delta", prdWith("delta", [true, true]));
    const memory = createRecordingOutbound();
    const first = stack(setup.root, setup.dataDir, memory);
    await first.start();
    await first.notifier.flush();
    await sleep(150);

    expect(memory.attempts).toEqual([]);
    const state = readNotificationState(setup.dataDir);
    expect(state?.initialized).toBe(true);
    expect(state?.last_status).toEqual({ alpha: "idle", beta: "failed", gamma: "pending", delta: "complete" });
    expect(state?.outbox).toEqual([]);

    // Not a dead notifier: the next transition is announced.
    await putEntry(setup.store, { name: "gamma", status: "planning" });
    await memory.waitFor((sent) => sent.length === 1);
    expect(memory.sent[0]!.target).toEqual({ adapter: "memory", channelId: "ops" });
    expect(memory.sent[0]!.reply.text).toBe("Planning started for **gamma**.");
  });

  it("a prd.json whose stories all pass yields exactly one complete message in the notify channel and in every chat of the planning session", async () => {
    const setup = await dirs();
    await runningProject(setup, "alpha");
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();
    expect(statuses(running.runtime)).toEqual({ alpha: "idle" });

    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true, true]));
    await memory.waitFor((sent) => sent.length >= 3);
    // The executor then records the outcome in the entry: the derived status stays complete, nothing more is sent.
    await putEntry(setup.store, { name: "alpha", status: "complete", pid: null });
    await running.runtime.watcher.refresh();
    await running.notifier.flush();
    await sleep(200);

    for (const chat of [OPS, PLAN_CHAT, BOUND_CHAT]) {
      // The report: the headline, then every story (no git in this workspace, so no commit line).
      expect(texts(memory, chat), chat).toEqual([
        [
          "**alpha** is complete: 3/3 stories pass on branch `ralph/alpha`, after 42 min.",
          "**Stories:**",
          "- ✅ `US-001` Story 1 — passed",
          "- ✅ `US-002` Story 2 — passed",
          "- ✅ `US-003` Story 3 — passed",
        ].join("\n"),
      ]);
    }
    expect(memory.sent).toHaveLength(3);
    const [delivery] = memory.to(PLAN_CHAT);
    expect(delivery!.reply.tone).toBe("success");
    expect(delivery!.reply.actions).toEqual([{ label: "Status", command: "/status alpha", style: "secondary" }]);
    const state = readNotificationState(setup.dataDir)!;
    expect(state.outbox).toEqual([]);
    expect(state.last_status.alpha).toBe("complete");
  });

  it("failed carries the entry's error and the last lines of the newest Ralph log", async () => {
    const setup = await dirs();
    await runningProject(setup, "alpha", 5);
    writeLog(setup.workspaceDir, "alpha", "iteration-1.log", ["old run"]);
    await sleep(20);
    writeLog(
      setup.workspaceDir,
      "alpha",
      "iteration-2.log",
      Array.from({ length: 15 }, (_, index) => `step ${index + 1}`),
    );
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();

    await putEntry(setup.store, {
      name: "alpha",
      status: "failed",
      pid: null,
      error: "Ralph exited with code 2 after 3 iterations\n--- last lines of Ralph's output ---\nnpm ERR!",
    });
    await memory.waitFor((sent) => sent.length >= 3);
    await sleep(150);

    expect(memory.sent).toHaveLength(3);
    for (const chat of [OPS, PLAN_CHAT, BOUND_CHAT]) {
      const [text, ...rest] = texts(memory, chat);
      expect(rest, chat).toEqual([]);
      expect(text).toContain("**alpha** failed: Ralph exited with code 2 after 3 iterations, after 5 min.");
      expect(text).not.toContain("npm ERR!"); // only the error's first line is the reason
      const tail = Array.from({ length: 10 }, (_, index) => `step ${index + 6}`).join("\n");
      expect(text).toContain(`Last log lines:\n\`\`\`\n${tail}\n\`\`\``);
      expect(text).not.toContain("step 5\n");
      expect(text).not.toContain("old run");
    }
    expect(memory.to(OPS)[0]!.reply.tone).toBe("error");
    // Retry · Re-plan · Cancel, one choice shared by every chat's copy.
    expect(memory.to(OPS)[0]!.reply.actions?.map((action) => action.command)).toEqual([
      "/run alpha",
      "/replan alpha",
      "/cancel alpha",
    ]);
    expect(memory.to(OPS)[0]!.reply.choice).toMatch(/^[\w-]{10}$/);
    expect(memory.to(PLAN_CHAT)[0]!.reply.choice).toBe(memory.to(OPS)[0]!.reply.choice);
  });

  it("a Ralph log that is a symbolic link is never shown: the newest regular log is", async () => {
    const setup = await dirs();
    await runningProject(setup, "alpha", 5);
    writeLog(setup.workspaceDir, "alpha", "iteration-1.log", ["the real log line"]);
    const secret = join(setup.root, "secret.txt");
    writeFileSync(secret, "TOP SECRET\n");
    await sleep(20);
    symlinkSync(secret, join(workspacePaths(setup.workspaceDir, "alpha").logs, "iteration-2.log"));
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();

    await putEntry(setup.store, { name: "alpha", status: "failed", pid: null, error: "Ralph exited with code 1" });
    await memory.waitFor((sent) => sent.length >= 3);
    for (const chat of [OPS, PLAN_CHAT, BOUND_CHAT]) {
      const [text] = texts(memory, chat);
      expect(text).toContain("Last log lines:\n```\nthe real log line\n```");
      expect(text).not.toContain("TOP SECRET");
    }
  });

  it("the approved notice promises a scheduled run only when EXECUTE_AT is set", async () => {
    for (const env of [{}, { EXECUTE_AT: "03:00" }] as Record<string, string>[]) {
      const setup = await dirs();
      await putEntry(setup.store, { name: "kiln", status: "pending" });
      const memory = createRecordingOutbound();
      const running = stack(setup.root, setup.dataDir, memory, { env });
      await running.start();
      await putEntry(setup.store, { name: "kiln", status: "approved" });
      await memory.waitFor((sent) => sent.length >= 1);
      const [text] = texts(memory, OPS);
      if ("EXECUTE_AT" in env)
        expect(text).toBe(
          "**kiln** is approved and waits for Ralph. Ralph runs it at the next scheduled run (daily at 03:00), or now with `/run kiln`.",
        );
      else
        expect(text).toBe(
          "**kiln** is approved and waits for Ralph. No daily run is set up, so nothing starts it by itself: start Ralph with `/run kiln` (admins).",
        );
    }
  });

  it("blocked names the blocked stories and the progress", async () => {
    const setup = await dirs();
    await runningProject(setup, "alpha");
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();

    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, "blocked", true, "blocked"]));
    await memory.waitFor((sent) => sent.length >= 3);
    await sleep(150);

    expect(memory.sent).toHaveLength(3);
    for (const chat of [OPS, PLAN_CHAT, BOUND_CHAT]) {
      // Every story's result, then the blocked ones with Ralph's notes (none here).
      expect(texts(memory, chat), chat).toEqual([
        [
          "**alpha** is blocked: stories `US-002`, `US-004` cannot proceed (2/4 done). Re-plan or unblock them.",
          "**Stories:**",
          "- ✅ `US-001` Story 1 — passed",
          "- ⛔ `US-002` Story 2 — blocked",
          "- ✅ `US-003` Story 3 — passed",
          "- ⛔ `US-004` Story 4 — blocked",
          "**Blocked, with Ralph's notes:**",
          "- `US-002` Story 2: no notes",
          "- `US-004` Story 4: no notes",
        ].join("\n"),
      ]);
    }
  });

  it("a recorded Ralph PID that dies is noticed: Ralph started, then complete, once each", async () => {
    const setup = await dirs();
    const paths = workspacePaths(setup.workspaceDir, "alpha");
    await putEntry(setup.store, { name: "alpha", status: "approved", branch: "ralph/alpha", started_at: null });
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [false, false]));
    await putPlanningSession(setup.dataDir, "alpha", { adapter: "memory", channelId: "plan-chat" });
    // A stand-in for Ralph: a script named ralph.sh that sleeps, in its own process group.
    const script = join(paths.ralph, "ralph.sh");
    writeFileSync(script, "#!/usr/bin/env bash\nsleep 300 &\nwait\n");
    chmodSync(script, 0o755);
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();
    expect(statuses(running.runtime)).toEqual({ alpha: "approved" });

    const ralph = spawn("bash", [script], { cwd: paths.ralph, detached: true, stdio: "ignore" });
    defer(() => killGroup(ralph));
    await putEntry(setup.store, {
      name: "alpha",
      status: "running",
      pid: ralph.pid!,
      started_at: new Date().toISOString(),
    });
    await memory.waitFor((sent) => sent.length >= 2);
    expect(statuses(running.runtime)).toEqual({ alpha: "running-ralph" });
    // Ralph finishes its stories while running: still running, nothing new to say.
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await sleep(200);
    expect(memory.sent).toHaveLength(2);

    // Ralph dies; nobody touches a file. The watcher probes the recorded PID and sees it gone.
    const died = Date.now();
    process.kill(-ralph.pid!, "SIGKILL");
    await memory.waitFor((sent) => sent.length >= 4, 8000);
    const noticedAfter = Date.now() - died;
    await sleep(150);

    expect(statuses(running.runtime)).toEqual({ alpha: "complete" });
    for (const chat of [OPS, PLAN_CHAT]) {
      expect(texts(memory, chat), chat).toEqual([
        "Ralph started on **alpha** (branch `ralph/alpha`): 2 stories to go.",
        [
          "**alpha** is complete: 2/2 stories pass on branch `ralph/alpha`, after less than a minute.",
          "**Stories:**",
          "- ✅ `US-001` Story 1 — passed",
          "- ✅ `US-002` Story 2 — passed",
        ].join("\n"),
      ]);
    }
    // The probe interval is 1 s: noticed within about that (slack for a loaded machine), not at the 30 s rescan.
    expect(noticedAfter).toBeLessThan(4000);
  });

  it("a transition that happened while planbot was down is announced once at the next start, and never again", async () => {
    const setup = await dirs();
    await runningProject(setup, "alpha");
    const memory = createRecordingOutbound();
    const first = stack(setup.root, setup.dataDir, memory);
    await first.start();
    await first.stop();

    // While down: Ralph finished.
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true, true]));
    await putEntry(setup.store, { name: "alpha", status: "complete", pid: null });

    const second = stack(setup.root, setup.dataDir, memory);
    await second.start();
    await memory.waitFor((sent) => sent.length >= 3);
    await second.stop();
    expect(matching(memory, OPS, /is complete/)).toHaveLength(1);
    expect(matching(memory, PLAN_CHAT, /is complete/)).toHaveLength(1);
    expect(matching(memory, BOUND_CHAT, /is complete/)).toHaveLength(1);

    const third = stack(setup.root, setup.dataDir, memory);
    await third.start();
    await third.notifier.flush();
    await sleep(150);
    expect(memory.sent).toHaveLength(3);
    expect(readNotificationState(setup.dataDir)?.outbox).toEqual([]);
  });

  it("a project proposed later is announced as proposed, to the notify channel only", async () => {
    const setup = await dirs();
    const memory = createRecordingOutbound();
    const running = stack(setup.root, setup.dataDir, memory);
    await running.start();
    await running.runtime.services.lifecycle.propose({
      slug: "newbie",
      description: "A *new* thing",
      repo: "team/newbie",
    });
    await memory.waitFor((sent) => sent.length >= 1);
    await sleep(150);
    expect(memory.sent.map((delivery) => [delivery.target.channelId, delivery.reply.text])).toEqual([
      ["ops", "New project **newbie** proposed: A \\*new\\* thing"],
    ]);
    expect(memory.sent[0]!.reply.actions?.map((action) => action.command)).toEqual(["/plan newbie", "/status newbie"]);
  });
});
