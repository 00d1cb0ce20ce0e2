/**
 * The pieces of live progress on their own: reading a run's progress from a real workspace (files, git),
 * the run guard's decisions on a controlled clock, the settings, Telegram's edit through the real grammY
 * adapter on the fake Bot API, and the dashboard's progress event on its real stream.
 */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { RunProgress, StopReason } from "../../src/execute/run-progress.ts";
import { createRunGuard } from "../../src/execute/run-guard.ts";
import { currentStory, lastIteration, sampleRun } from "../../src/execute/run-sample.ts";
import { silentLogger } from "../../src/log.ts";
import { progressReply, finalReply } from "../../src/notify/progress-text.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { git } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { startHarness as startDashboard, stopHarnesses } from "../http/harness.ts";
import { openStream } from "../http/sse-client.ts";
import { group, startHarness as startTelegram, type TelegramHarness } from "../telegram/harness.ts";
import { closeAll as closeDiscord, GENERAL, startHarness as startDiscord } from "../discord/harness.ts";

const temp = createTempDirs();
let telegram: TelegramHarness | undefined;
afterEach(async () => {
  await telegram?.close();
  telegram = undefined;
  await stopHarnesses();
  await closeDiscord();
});
afterAll(() => temp.cleanup());

const progress = (over: Partial<RunProgress> = {}): RunProgress => ({
  slug: "shop",
  runId: "2030-01-01T00:00:00.000Z",
  startedAt: "2030-01-01T00:00:00.000Z",
  storiesDone: 1,
  storiesTotal: 3,
  currentStory: { id: "US-2", title: "Cart totals" },
  iteration: 2,
  maxIterations: 10,
  lastCommit: "US-1",
  commits: 1,
  costUsd: null,
  worker: null,
  lastActivityAt: "2030-01-01T00:00:00.000Z",
  ...over,
});

describe("reading a run's progress from its workspace", () => {
  it("stories, the current story by priority, the last iteration line, and the commits since the start head", async () => {
    const workspaceDir = join(await temp.make("sample-"), "ws");
    const paths = workspacePaths(workspaceDir, "shop");
    await mkdir(paths.logs, { recursive: true });
    await git(paths.root, ["init", "-q", "-b", "main"]);
    await git(paths.root, ["commit", "-q", "--allow-empty", "-m", "chore: planning artifacts"]);
    const start = await git(paths.root, ["rev-parse", "HEAD"]);
    await git(paths.root, ["commit", "-q", "--allow-empty", "-m", "US-3 first"]);
    await git(paths.root, ["commit", "-q", "--allow-empty", "-m", "US-1 second"]);
    const stories = [
      { id: "US-1", title: "One", priority: 2, passes: false },
      { id: "US-2", title: "Two", priority: 3, passes: false },
      { id: "US-3", title: "Three", priority: 1, passes: true },
    ];
    await writeFile(paths.prd, JSON.stringify({ branchName: "main", userStories: stories }));
    await writeFile(
      join(paths.logs, "ralph-1.log"),
      "planbot: header\n  Ralph Iteration 1 of 10 (claude)\n...\n  Ralph Iteration 2 of 10 (claude)\nworking\n",
    );
    const entry = { name: "shop", started_at: "2020-01-01T00:00:00.000Z", started_head: start };
    const sampled = await sampleRun(entry, workspaceDir, process.env, undefined);
    expect(sampled.progress).toMatchObject({
      slug: "shop",
      runId: entry.started_at,
      storiesDone: 1,
      storiesTotal: 3,
      currentStory: { id: "US-1", title: "One" },
      iteration: 2,
      maxIterations: 10,
      commits: 2,
      lastCommit: "US-1 second",
      costUsd: null,
      worker: null,
    });
    expect(Date.parse(sampled.progress.lastActivityAt)).toBeGreaterThan(Date.parse(entry.started_at));

    // A log folder that is a link (from the repository) is not read: the iteration stays what was known.
    await writeFile(join(paths.root, "elsewhere.log"), "Ralph Iteration 9 of 9\n");
    const other = join(workspaceDir, "other");
    await mkdir(join(other, "scripts", "ralph"), { recursive: true });
    await mkdir(join(workspaceDir, "outside"), { recursive: true });
    await writeFile(join(workspaceDir, "outside", "ralph-x.log"), "Ralph Iteration 9 of 9\n");
    await symlink(join(workspaceDir, "outside"), join(other, "scripts", "ralph", "logs"));
    const linked = await sampleRun({ name: "other", started_at: entry.started_at }, workspaceDir, process.env, {
      iteration: 4,
      maxIterations: 10,
    });
    expect(linked.progress).toMatchObject({ iteration: 4, storiesTotal: 0, commits: 0, currentStory: null });
  });

  it("parses ralph.sh's iteration lines and picks the story its agent picks", () => {
    expect(lastIteration("x\n  Ralph Iteration 3 of 20 (claude)\n  Ralph Iteration 4 of 20 (amp)\n")).toEqual({
      iteration: 4,
      maxIterations: 20,
    });
    expect(lastIteration("Iteration 3 complete. Continuing...")).toBeUndefined();
    expect(
      currentStory({
        userStories: [
          { id: "A", title: "a", passes: false, priority: 2 } as never,
          { id: "B", title: "b", passes: false, priority: 2 } as never,
        ],
      }),
    ).toEqual({ id: "A", title: "a" });
    expect(currentStory({ userStories: [{ id: "A", passes: true }] })).toBeNull();
  });
});

describe("the run guard", () => {
  function guard(maxMinutes: number | null, stallMinutes: number | null) {
    let now = Date.parse("2030-01-01T00:00:00.000Z");
    const stops: Array<[string, StopReason]> = [];
    const stalls: number[] = [];
    const listener = createRunGuard({
      stopper: {
        async stopRun(slug, reason) {
          stops.push([slug, reason]);
          return { ok: true, stopped: true };
        },
      },
      maxMinutes,
      stallMinutes,
      clock: { now: () => new Date(now) },
      log: silentLogger,
      onStall: (_progress, quiet) => stalls.push(quiet),
    });
    return {
      listener,
      stops,
      stalls,
      at: (minutes: number) => (now = Date.parse("2030-01-01T00:00:00.000Z") + minutes * 60_000),
    };
  }

  it("stops a run once when it passes RALPH_MAX_MINUTES, and never without a cap", () => {
    const g = guard(30, null);
    g.at(29);
    g.listener(progress());
    expect(g.stops).toEqual([]);
    g.at(30);
    g.listener(progress());
    g.listener(progress());
    expect(g.stops).toEqual([["shop", "time_limit"]]);
    // A new run of the same project is watched afresh.
    g.at(100);
    g.listener(progress({ runId: "2030-01-01T01:39:00.000Z", startedAt: "2030-01-01T01:39:00.000Z" }));
    expect(g.stops).toHaveLength(1);
    const off = guard(null, null);
    off.at(10_000);
    off.listener(progress());
    expect(off.stops).toEqual([]);
  });

  it("says a run stalled once per quiet spell", () => {
    const g = guard(null, 10);
    g.at(9);
    g.listener(progress());
    expect(g.stalls).toEqual([]);
    g.at(11);
    g.listener(progress());
    g.at(15);
    g.listener(progress());
    expect(g.stalls).toEqual([11]);
    // It moved (new activity), then went quiet again: a second notice.
    g.at(16);
    g.listener(progress({ lastActivityAt: "2030-01-01T00:16:00.000Z" }));
    g.at(27);
    g.listener(progress({ lastActivityAt: "2030-01-01T00:16:00.000Z" }));
    expect(g.stalls).toEqual([11, 11]);
  });
});

describe("settings and texts", () => {
  it("RALPH_MAX_MINUTES, RALPH_STALL_MINUTES (0 = off, decimals allowed) and PROGRESS_EDIT_SECONDS", () => {
    const defaults = loadConfig({}, "/nonexistent");
    expect(defaults.ok && defaults.config.progress).toEqual({
      maxMinutes: 480,
      stallMinutes: 30,
      editIntervalSeconds: 5,
    });
    const set = loadConfig(
      { RALPH_MAX_MINUTES: "0", RALPH_STALL_MINUTES: "2.5", PROGRESS_EDIT_SECONDS: "1" },
      "/nonexistent",
    );
    expect(set.ok && set.config.progress).toEqual({ maxMinutes: null, stallMinutes: 2.5, editIntervalSeconds: 1 });
    const bad = loadConfig({ RALPH_MAX_MINUTES: "soon" }, "/nonexistent");
    expect(bad).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Invalid RALPH_MAX_MINUTES \(got "soon"\)/),
    });
    expect(loadConfig({ PROGRESS_EDIT_SECONDS: "0.1" }, "/nonexistent")).toMatchObject({
      ok: false,
      message: 'Invalid PROGRESS_EDIT_SECONDS (got "0.1"): must be a number of seconds, at least 0.2',
    });
  });

  it("the progress message and its final edit", () => {
    const now = new Date("2030-01-01T01:05:00.000Z");
    expect(progressReply(progress(), now).text).toBe(
      "**shop** — Ralph is working on story 2/3: US-2 Cart totals (1 done)\niteration 2 of 10 · 1 h 5 min elapsed · 1 commit, last: `US-1`",
    );
    expect(progressReply(progress({ costUsd: 1.5, worker: "w1" }), now).text).toContain("cost so far $1.50 · on w1");
    expect(finalReply("shop", progress(), undefined, now).text).toMatch(
      /^\*\*shop\*\* — Ralph ended \(the project is gone\)/,
    );
  });
});

describe("adapters", () => {
  it("Telegram: an edit replaces the text in place; unchanged is fine; a 429 and a missing message are typed", async () => {
    telegram = await startTelegram({ adapter: { retry: { maxRetryAttempts: 0, maxDelaySeconds: 5 } } });
    const outbound = telegram.runtime.outbound;
    const target = { adapter: "telegram", channelId: String(group.id) };
    const sent = await outbound.send(target, { text: "**shop** story 1/3" });
    if (!sent.ok) throw new Error(sent.message);
    const id = sent.messageIds[0]!;
    const buttons = [{ label: "Status", command: "/status shop" }];
    expect(await outbound.edit(target, id, { text: "**shop** story 2/3", actions: buttons })).toEqual({
      ok: true,
      messageId: id,
    });
    expect(await outbound.edit(target, id, { text: "**shop** story 2/3", actions: buttons })).toEqual({
      ok: true,
      messageId: id,
    });
    const log = telegram.fake.sentMessages(group.id);
    expect(log.map((m) => [m.kind, m.message_id, m.plain_text])).toEqual([
      ["sent", Number(id), "shop story 1/3"],
      ["edited", Number(id), "shop story 2/3"],
    ]);
    expect(log[1]!.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["Status"]);
    telegram.fake.failNext({ method: "editMessageText", errorCode: 429, retryAfterSeconds: 7 });
    expect(await outbound.edit(target, id, { text: "x" })).toMatchObject({
      ok: false,
      code: "rate_limited",
      details: { retryAfterMs: 7000 },
    });
    expect(await outbound.edit(target, "999999", { text: "x" })).toMatchObject({ ok: false, code: "message_gone" });
  });

  it("Discord: an edit PATCHes the message in place; a deleted message is message_gone", async () => {
    const h = await startDiscord();
    const target = { adapter: "discord", channelId: GENERAL };
    const sent = await h.runtime.outbound.send(target, { text: "**shop** story 1/3" });
    if (!sent.ok) throw new Error(sent.message);
    const id = sent.messageIds[0]!;
    const edited = await h.runtime.outbound.edit(target, id, {
      text: "**shop** story 2/3",
      actions: [{ label: "Status", command: "/status shop" }],
    });
    expect(edited).toEqual({ ok: true, messageId: id });
    const [message] = h.fake.channelMessages(GENERAL);
    expect(message).toMatchObject({ id, content: "**shop** story 2/3", editedAt: expect.any(Number) });
    expect(h.fake.channelMessages(GENERAL)).toHaveLength(1);
    expect(await h.runtime.outbound.edit(target, "1234567890123456789", { text: "x" })).toMatchObject({
      ok: false,
      code: "message_gone",
    });
  });

  it("the dashboard's stream carries a run's progress when what it shows changed", async () => {
    const harness = await startDashboard({ watch: true });
    const client = await openStream(harness.dashboard.port);
    const hub = harness.runtime.live.hub;
    hub.publish(progress());
    hub.publish(progress({ lastActivityAt: "2030-01-01T00:01:00.000Z" }));
    hub.publish(progress({ storiesDone: 2, currentStory: { id: "US-3", title: "Checkout" } }));
    await client.waitFor((data) => data.type === "progress" && (data.progress as RunProgress).storiesDone === 2);
    const events = client.frames.filter((frame) => frame.data.type === "progress");
    expect(events.map((frame) => (frame.data.progress as RunProgress).storiesDone)).toEqual([1, 2]);
    client.close();
  });
});
