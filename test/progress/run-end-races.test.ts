/**
 * A run's end racing its progress samples, on the progress notifier itself:
 * - the end arrives while a pass is still editing a running snapshot: the messages must still get their last
 *   edit ("finished: complete"), and only that pass marks the run finished in `progress-messages.json`;
 * - the run dies during its first sample, so the end is seen before any message showed it: the late sample
 *   must not start a message that nothing would ever finish.
 *
 * The progress notifier runs for real over its real state file. Its chat and its project feed are the narrow
 * interfaces it is handed: a recording outbound whose edits can be held, and a change feed the test drives
 * (the live path through the real watcher, planbot and fake chats is progress-messages.test.ts, which lost
 * the first race now and then on a loaded machine).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { ChatTarget } from "../../src/chat/incoming.ts";
import type { Reply } from "../../src/chat/reply.ts";
import type { RunProgress } from "../../src/execute/run-progress.ts";
import { silentLogger } from "../../src/log.ts";
import { createProgressNotifier } from "../../src/notify/progress-notifier.ts";
import type { ProgressState } from "../../src/notify/progress-state.ts";
import type { ChangeWatcher, ProjectChange } from "../../src/projects/change-watcher.ts";
import type { ProjectRecord } from "../../src/projects/project-list.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

const RUN_ID = "2030-01-01T00:00:00.000Z";
const target: ChatTarget = { adapter: "discord", channelId: "100" };

const snapshot = (storiesDone: number, current: RunProgress["currentStory"]): RunProgress => ({
  slug: "shop",
  runId: RUN_ID,
  startedAt: RUN_ID,
  storiesDone,
  storiesTotal: 3,
  currentStory: current,
  iteration: storiesDone + 1,
  maxIterations: 10,
  lastCommit: storiesDone > 0 ? `US-00${storiesDone}` : null,
  commits: storiesDone,
  costUsd: null,
  worker: null,
  lastActivityAt: RUN_ID,
});

function completeRecord(): ProjectRecord {
  return {
    slug: "shop",
    status: "complete",
    name: "shop",
    description: "Kiln temperature logger",
    proposed_at: null,
    approved_at: null,
    started_at: RUN_ID,
    pid: null,
    stories_total: 3,
    stories_done: 3,
    eta_seconds: null,
    last_message_preview: "",
    error_reason: "",
    error_fix: null,
    error_operator: null,
    has_workspace: true,
    has_prd: true,
    repo: null,
    branch: "feat/x",
    base_branch: null,
    final_plan_path: null,
    last_iteration_at: null,
    blocked_stories: [],
    failed_stories: [],
    pull_request: null,
    delivery: null,
    run_refusal: null,
  };
}

/** A change feed the test drives: what the notifier takes from the change watcher. */
function drivenWatcher() {
  const listeners = new Set<(change: ProjectChange) => void>();
  const list = { projects: [] as ProjectRecord[], version: 1, fetchedAt: RUN_ID, count: 0 };
  const watcher = {
    subscribe(listener: (change: ProjectChange) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    current: () => ({ sequence: 1, signature: "s", list }),
  } as unknown as ChangeWatcher;
  const emit = (after: ProjectRecord) => {
    list.projects = [after];
    list.count = 1;
    const change: ProjectChange = {
      sequence: 2,
      signature: "t",
      list,
      changed: [{ slug: after.slug, before: undefined, after }],
    };
    for (const listener of listeners) listener(change);
  };
  return { watcher, emit };
}

/** Records every send and edit; `hold()` makes the next edit wait until the returned release is called. */
function recordingOutbound() {
  const calls: Array<{ kind: "sent" | "edited"; text: string }> = [];
  let held: { started: () => void; gate: Promise<void> } | undefined;
  return {
    calls,
    hold() {
      let release!: () => void;
      let started!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const editStarted = new Promise<void>((resolve) => {
        started = resolve;
      });
      held = { started, gate };
      return { editStarted, release };
    },
    outbound: {
      async send(_target: ChatTarget, reply: Reply) {
        calls.push({ kind: "sent" as const, text: reply.text });
        return { ok: true as const, messageIds: ["m1"] };
      },
      async edit(_target: ChatTarget, messageId: string, reply: Reply) {
        const waiting = held;
        held = undefined;
        if (waiting) {
          waiting.started();
          await waiting.gate;
        }
        calls.push({ kind: "edited" as const, text: reply.text });
        return { ok: true as const, messageId };
      },
    },
  };
}

/** The notifier over a fresh data dir, its chat and its change feed. */
async function startNotifier() {
  const dataDir = await temp.make("progress-end-");
  const chat = recordingOutbound();
  const { watcher, emit } = drivenWatcher();
  const notifier = createProgressNotifier({
    outbound: chat.outbound,
    delivery: { send: async () => "delivered", pending: () => 0 } as never,
    watcher,
    chatsForProject: async () => [],
    canDeliverTo: () => true,
    notifyTargets: [target],
    clock: systemClock,
    log: silentLogger,
    dataDir,
    editIntervalMs: 0,
    stallMinutes: null,
  });
  await notifier.start();
  return { dataDir, chat, emit, notifier };
}

it("a run that ends during an edit still gets its last edit, and only then counts as finished", async () => {
  const { dataDir, chat, emit, notifier } = await startNotifier();
  notifier.listener(snapshot(0, { id: "US-001", title: "Scaffold" }));
  await notifier.idle();
  expect(chat.calls).toEqual([{ kind: "sent", text: expect.stringMatching(/working on story 1\/3/) }]);

  // The last snapshot's edit is under way when the project's record says the run is over.
  const { editStarted, release } = chat.hold();
  notifier.listener(snapshot(3, null));
  await editStarted;
  emit(completeRecord());
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await notifier.idle();

  expect(chat.calls.map((call) => call.kind)).toEqual(["sent", "edited", "edited"]);
  expect(chat.calls[1]!.text).toMatch(/working on all 3 stories pass/);
  expect(chat.calls[2]!.text).toMatch(/^\*\*shop\*\* — Ralph finished: complete · 3\/3 stories pass/);
  const state = JSON.parse(await readFile(join(dataDir, "progress-messages.json"), "utf8")) as ProgressState;
  expect(Object.values(state.runs)).toEqual([
    expect.objectContaining({ slug: "shop", run_id: RUN_ID, ended_at: expect.any(String) }),
  ]);

  // Nothing more happens to a finished run: a late snapshot starts no new message.
  notifier.listener(snapshot(3, null));
  await notifier.idle();
  expect(chat.calls).toHaveLength(3);
  await notifier.stop();
});

it("a sample taken before the run ended and published after its end was seen starts no message", async () => {
  const { chat, emit, notifier } = await startNotifier();
  // The run died during its first sample: the end is seen before any message showed the run.
  emit(completeRecord());
  notifier.listener(snapshot(0, { id: "US-001", title: "Scaffold" }));
  await notifier.idle();
  expect(chat.calls).toEqual([]);
  // A sample of a later run of the same project is shown as usual.
  notifier.listener({ ...snapshot(0, { id: "US-001", title: "Scaffold" }), runId: "2030-01-02T00:00:00.000Z" });
  await notifier.idle();
  expect(chat.calls).toEqual([{ kind: "sent", text: expect.stringMatching(/working on story 1\/3/) }]);
  await notifier.stop();
});
