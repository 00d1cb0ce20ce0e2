/**
 * The order of a finished turn's writes: the conversation record gets the answer before the session
 * stops showing the turn as pending. A dashboard tab that saw the turn end (plan/state without a pending
 * message) and then read plan/transcript must find the answer there; had the pending mark gone first,
 * the tab would stop polling with the answer missing (the live-chat test's "answer from another tab"
 * failed so under load). The record's append is held open by a gate, so the check is deterministic.
 * The planner is the fake Claude CLI as a real child process; the session and record are real files.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.ts";
import { createClaudeCliPlanner } from "../../src/planning/claude-cli-planner.ts";
import { createConversationLog, type TranscriptEntry } from "../../src/planning/conversation-log.ts";
import { createSessionStore, type PlanningSession } from "../../src/planning/session-store.ts";
import { createTurnRunner } from "../../src/planning/turn-runner.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { putPlanningSession } from "../helpers/notify-fixtures.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp } = useCleanups();
const KEY = "dashboard:alpha";

/**
 * A fresh data folder holding an open, not yet started clarify session of alpha (the dashboard's chat),
 * working in its own workspace folder, and a config folder for the fake Claude CLI.
 */
async function openWorld() {
  const root = await temp.make("turn-order-");
  const dataDir = join(root, "data");
  const cwd = join(root, "workspace");
  const claudeDir = join(root, "claude");
  await mkdir(cwd, { recursive: true });
  await mkdir(claudeDir, { recursive: true });
  await putPlanningSession(dataDir, "alpha", { adapter: "dashboard", channelId: "alpha" }, { closed: false });
  const sessions = createSessionStore(dataDir);
  const opened = await sessions.mutate((all) => {
    Object.assign(all[KEY]!, {
      phase: "clarify",
      phases_completed: [],
      session_started: false,
      session_id: crypto.randomUUID(),
      last_text_excerpt: "",
      cwd,
    } satisfies Partial<PlanningSession>);
    return { ok: true };
  });
  if (!opened.ok) throw new Error(opened.message);
  return { dataDir, claudeDir, sessions };
}

describe("a finished turn", () => {
  it("is in the conversation record before the session stops showing it pending", async () => {
    const { dataDir, claudeDir, sessions } = await openWorld();

    // The record's append of the answer waits for the gate; meanwhile the session is looked at.
    const record = createConversationLog(dataDir);
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let answerAppending!: () => void;
    const appending = new Promise<void>((resolve) => (answerAppending = resolve));
    const conversations = {
      read: record.read,
      async append(id: string, entry: TranscriptEntry) {
        if (entry.role === "assistant") {
          answerAppending();
          await gate;
        }
        return record.append(id, entry);
      },
    };
    const runner = createTurnRunner({
      sessions,
      planner: createClaudeCliPlanner({
        command: fakeClaudePath,
        timeoutMs: 20_000,
        env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir },
      }),
      conversations,
      clock: systemClock,
      log: silentLogger,
      bootId: crypto.randomUUID(),
      newId: () => crypto.randomUUID(),
    });

    const turn = runner.run({
      key: KEY,
      prompt: "clarify",
      message: "A todo app with reminders.",
      shown: "A todo app with reminders.",
      user: "ann",
      chat: { adapter: "dashboard", channel_id: "alpha", thread_id: null },
    });
    await appending;
    const during = await sessions.read();
    expect(during.ok && during.sessions[KEY]).toMatchObject({
      pending_message: expect.objectContaining({ text: "A todo app with reminders.", user: "ann" }),
      last_text_excerpt: "",
    });

    openGate();
    const finished = await turn;
    expect(finished.ok).toBe(true);
    const after = await sessions.read();
    const session = after.ok ? after.sessions[KEY]! : undefined;
    expect(session?.pending_message ?? null).toBeNull();
    expect(session?.last_text_excerpt).toMatch(/\?/);
    const entries = await record.read(session!.planning_session_id);
    expect(entries.map((entry) => [entry.role, entry.user ?? null])).toEqual([
      ["user", "ann"],
      ["assistant", null],
    ]);
    expect(entries[1]!.text).toBe(finished.ok ? finished.text : "");
  });

  it("of a session stopped while the planner answered is neither recorded nor stored", async () => {
    const { dataDir, claudeDir, sessions } = await openWorld();
    const record = createConversationLog(dataDir);
    const real = createClaudeCliPlanner({
      command: fakeClaudePath,
      timeoutMs: 20_000,
      env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir },
    });
    const runner = createTurnRunner({
      sessions,
      // The session is closed (as /stop does) after the planner answered, before the turn is stored.
      planner: {
        async run(turn) {
          const answer = await real.run(turn);
          await sessions.mutate((all) => {
            all[KEY]!.closed_at = new Date().toISOString();
            all[KEY]!.closed_reason = "stopped";
            return { ok: true };
          });
          return answer;
        },
      },
      conversations: record,
      clock: systemClock,
      log: silentLogger,
      bootId: crypto.randomUUID(),
      newId: () => crypto.randomUUID(),
    });
    const finished = await runner.run({
      key: KEY,
      prompt: "clarify",
      message: "A todo app.",
      shown: "A todo app.",
      user: "ann",
      chat: { adapter: "dashboard", channel_id: "alpha", thread_id: null },
    });
    expect(finished).toMatchObject({ ok: false, code: "no_active_session", details: { reason: "aborted" } });
    const after = await sessions.read();
    const session = after.ok ? after.sessions[KEY]! : undefined;
    expect(session?.last_text_excerpt).toBe("");
    expect(await record.read(session!.planning_session_id)).toEqual([]);
  });
});
