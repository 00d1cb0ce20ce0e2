/**
 * Planning sessions end to end: the runtime with the fake `claude` as PLANNER_COMMAND, the console
 * adapter as one chat and an in-memory adapter (Incoming "memory" + a recording Outbound) as others.
 * Issue 4's checks: the full flow with files on disk, cross-chat continuation, parallel sessions with
 * in-order turns, every planner failure mode, restarts, the approval guard and --force by role.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, it } from "vitest";
import { createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";
import type { Bot } from "../../src/bot/bot.ts";
import type { ChatTarget, Incoming } from "../../src/chat/incoming.ts";
import type { TurnSignals } from "../../src/chat/turn-signals.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createClaudeCliPlanner } from "../../src/planning/claude-cli-planner.ts";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import type { SessionsFile } from "../../src/planning/session-store.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { PrdSchema, type ProjectEntry } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { alive, waitUntil } from "../helpers/processes.ts";

// ─── harness: a runtime over the fake planner, the console chat and an in-memory second adapter ──────

const temp = createTempDirs();
const harnesses: Harness[] = [];
// Tests run concurrently: stop every runtime and remove the folders once all of them are done.
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await temp.cleanup();
});

interface Call {
  argv: string[];
  cwd: string;
  stdin: string;
  at: string;
}

interface Sent {
  target: ChatTarget;
  reply: Reply;
}

interface Harness {
  root: string;
  dataDir: string;
  workspaceDir: string;
  claudeDir: string;
  env: NodeJS.ProcessEnv;
  runtime: Runtime;
  /** The console chat: one line in, everything it printed for that line out. */
  say(line: string): Promise<string>;
  /** All the console printed so far (replies, mirrored replies, working signals). */
  consoleOutput(): string;
  /** Replies delivered through Outbound, per adapter. */
  outbox: { console: Sent[]; memory: Sent[] };
  /** A chat on the in-memory adapter. */
  memory(channelId: string, userId?: string): MemoryChat;
  calls(): Promise<Call[]>;
  sessions(): Promise<SessionsFile>;
  project(slug: string): Promise<ProjectEntry | undefined>;
  /** Stops the runtime (after its running turns) and starts a new one on the same folders. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  /** Stops the runtime after its running turns; idempotent. */
  stop(): Promise<void>;
  /** Starts a new runtime on the same folders: the console and memory chats move over to it. */
  start(extraEnv?: Record<string, string>): Promise<void>;
}

interface MemoryChat {
  command(text: string): Promise<Reply[]>;
  answer(text: string, signals?: TurnSignals): Promise<Reply[]>;
  target: ChatTarget;
}

interface HarnessOptions {
  env?: Record<string, string>;
  fakeEnv?: Record<string, string>;
  planner?: (env: NodeJS.ProcessEnv) => PlannerBackend;
}

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const root = await temp.make("planning-");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, CLAUDE_CONFIG_DIR: claudeDir, ...options.fakeEnv };
  const outbox: Harness["outbox"] = { console: [], memory: [] };
  let output = "";
  let runtime!: Runtime;
  let stopConsole = () => undefined as void;
  let running = false;
  let waiters: (() => void)[] = [];
  let input!: PassThrough;

  const build = (extraEnv: Record<string, string>) => {
    const loaded = loadConfig(
      {
        PLANBOT_DATA_DIR: dataDir,
        PLANNER_COMMAND: fakeClaudePath,
        PLANNER_TIMEOUT_S: "20",
        ...options.env,
        ...extraEnv,
      },
      root,
    );
    if (!loaded.ok) throw new Error(loaded.message);
    runtime = createRuntime(loaded.config, silentLogger, {
      env,
      ...(options.planner ? { planner: options.planner(env) } : {}),
    });
    // The console chat reports each handled line, so `say` knows when its output is complete.
    const bot = runtime.bot;
    const notify = <T>(work: Promise<T>) =>
      work.finally(() =>
        setImmediate(() => {
          const wake = waiters;
          waiters = [];
          for (const w of wake) w();
        }),
      );
    const tracked: Bot = {
      registry: bot.registry,
      commandFor: (text) => bot.commandFor(text),
      hasSession: (incoming) => bot.hasSession(incoming),
      handle: (incoming, options) => notify(bot.handle(incoming, options)),
      handleCommand: (incoming, signals) => notify(bot.handleCommand(incoming, signals)),
      handleAnswer: (incoming, signals) => notify(bot.handleAnswer(incoming, signals)),
      press: (incoming, choice, signals) => notify(bot.press(incoming, choice, signals)),
    };
    input = new PassThrough();
    const out = new PassThrough();
    out.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const adapter = createConsoleAdapter({ bot: tracked, input, output: out, userName: "owner" });
    void adapter.run();
    stopConsole = () => adapter.close();
    runtime.outbound.register("console", {
      async send(target, reply) {
        outbox.console.push({ target, reply });
        return adapter.outbound.send(target, reply);
      },
    });
    runtime.outbound.register("memory", {
      async send(target, reply) {
        outbox.memory.push({ target, reply });
        return { ok: true, messageIds: [] };
      },
    });
  };
  build({});
  running = true;

  const h: Harness = {
    root,
    dataDir,
    workspaceDir: join(dataDir, "workspace"),
    claudeDir,
    env,
    get runtime() {
      return runtime;
    },
    async say(line) {
      const mark = output.length;
      const handled = new Promise<void>((resolve) => waiters.push(resolve));
      input.write(`${line}\n`);
      await handled;
      return output.slice(mark);
    },
    consoleOutput: () => output,
    outbox,
    memory(channelId, userId = "member1") {
      const base = { adapter: "memory", channelId, userId, userName: `mem-${userId}` };
      return {
        target: { adapter: "memory", channelId },
        command: (text) => runtime.bot.handleCommand({ ...base, text } satisfies Incoming),
        answer: (text, signals) => runtime.bot.handleAnswer({ ...base, text } satisfies Incoming, signals),
      };
    },
    async calls() {
      const file = join(claudeDir, "fake-claude", "calls.jsonl");
      if (!existsSync(file)) return [];
      return (await readFile(file, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Call);
    },
    async sessions() {
      const file = join(dataDir, "sessions", "planning.json");
      return existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as SessionsFile) : {};
    },
    async project(slug) {
      const file = join(dataDir, TASKS_FILE_NAME);
      if (!existsSync(file)) return undefined;
      return (JSON.parse(await readFile(file, "utf8")) as { projects: ProjectEntry[] }).projects.find(
        (p) => p.name === slug,
      );
    },
    async stop() {
      if (!running) return;
      running = false;
      await runtime.bot.drain();
      stopConsole();
      await runtime.stop();
    },
    async start(extraEnv = {}) {
      if (running) throw new Error("the runtime is running");
      build(extraEnv);
      running = true;
    },
    async restart(extraEnv = {}) {
      await h.stop();
      await h.start(extraEnv);
    },
  };
  harnesses.push(h);
  return h;
}

/** The value of a flag in a recorded argv. */
function flag(call: Call, name: string): string | undefined {
  const at = call.argv.indexOf(name);
  return at === -1 ? undefined : call.argv[at + 1];
}

/** The PLANBOT-PHASE line of a recorded call's system prompt. */
function phaseOf(call: Call): string | undefined {
  return /^PLANBOT-PHASE:\s*(\S+)/m.exec(flag(call, "--append-system-prompt") ?? "")?.[1];
}

function textOf(replies: Reply[]): string {
  return replies.map((r) => r.text).join("\n---\n");
}

/** The replies delivered through Outbound (one adapter's list) whose text contains `needle`. */
function delivered(sent: Sent[], needle: string): Sent[] {
  return sent.filter((item) => item.reply.text.includes(needle));
}

async function sessionOf(h: Harness, key: string) {
  const session = (await h.sessions())[key];
  if (!session) throw new Error(`no session ${key}`);
  return session;
}

/** Leaves a pending message of a process that died mid-turn (another boot id) in sessions/planning.json. */
async function plantInterruptedTurn(h: Harness, key: string, text: string, chat: ChatTarget) {
  const file = join(h.dataDir, "sessions", "planning.json");
  const sessions = JSON.parse(await readFile(file, "utf8")) as SessionsFile;
  sessions[key]!.pending_message = {
    text,
    user: "someone",
    chat: { adapter: chat.adapter, channel_id: chat.channelId, thread_id: null },
    at: new Date().toISOString(),
    boot_id: "boot-of-a-process-that-died",
  };
  await writeFile(file, JSON.stringify(sessions, null, 2));
}

/** A member's text as it reached the planner, without the markers that delimit it. */
function unwrap(stdin: string): string {
  const member = /^<member-message[^>]*>\n([\s\S]*)\n<\/member-message>$/.exec(stdin);
  return member ? member[1]! : stdin;
}

/** /plan, one answer, /next, /next: the session is in the stories phase, ready for the final step. */
async function walkToStories(chat: MemoryChat, slug: string) {
  const steps = [
    await chat.command(`/plan ${slug} A project called ${slug}`),
    await chat.answer("Makers selling online; Node only"),
    await chat.command("/next"),
    await chat.command("/next"),
  ];
  const last = textOf(steps.at(-1)!);
  if (!last.includes("User stories for"))
    throw new Error(`not in the stories phase: ${steps.map(textOf).join("\n===\n")}`);
}

// ─── the full flow ───────────────────────────────────────────────────────────────────────────────

describe.concurrent("a planning session through the console chat", { timeout: 60_000 }, () => {
  it("goes propose → plan → answer → next → next → next → done, writing valid files and approving the project", async ({
    expect,
  }) => {
    const h = await harness();
    expect(await h.say("/p shop A tiny shop for hand-made mugs")).toContain("Proposed shop");
    const planned = await h.say("/plan shop");
    expect(planned).toContain("Planning shop — phase 1/3: clarify");
    expect(planned).toContain("1. Who will use shop");
    expect((await h.project("shop"))?.status).toBe("planning");

    const answered = await h.say("Potters selling mugs; Node only");
    expect(answered).toContain('You answered: "Potters selling mugs; Node only"');
    expect(answered).toContain("… working");
    // One block after the working line: the answer, then how long it took.
    expect(answered).toMatch(
      /^… working \(Ctrl-C stops the planner\)\nThanks\.[\s\S]*Phase ready[\s\S]*\n\(took \d+\.\d s\)\n$/,
    );
    expect(answered).toContain("Phase ready");
    expect(answered).not.toContain("[[PHASE_READY]]");

    const design = await h.say("/next");
    expect(design).toContain("shop — phase 2/3: design");
    expect(design).toContain("\nApproach\n");
    const stories = await h.say("/next");
    expect(stories).toContain("shop — phase 3/3: stories");
    expect(stories).toContain("US-003");
    expect(stories).toContain("/next writes the final plan");
    const written = await h.say("/next");
    expect(written).toContain("Wrote final-plan.md and prd.json (3 stories)");
    expect(written).toContain("[Approve (/done)] /done");
    const done = await h.say("/done");
    expect(done).toContain("Approved shop with its plan");

    // Files on disk.
    const paths = workspacePaths(h.workspaceDir, "shop");
    const plan = await readFile(paths.finalPlan, "utf8");
    expect(plan).toMatch(/^# Plan for shop\n/);
    expect(plan).not.toContain("```");
    const prd = PrdSchema.safeParse(JSON.parse(await readFile(paths.prd, "utf8")));
    expect(prd.success).toBe(true);
    expect(prd.data?.branchName).toBe("ralph/shop");
    expect(prd.data?.userStories).toHaveLength(3);

    // The project and the session as stored.
    const project = await h.project("shop");
    expect(project).toMatchObject({ status: "approved", final_plan_path: paths.finalPlan, planning_session_id: null });
    expect(project?.approved_at).toBeTruthy();
    const session = await sessionOf(h, "console:terminal");
    expect(session).toMatchObject({
      phase: "__complete__",
      closed_reason: "approved",
      final_plan_path: paths.finalPlan,
      turns: 5,
      pending_message: null,
    });
    expect(session.cost_usd).toBeCloseTo(5 * 0.0123, 6);
    expect(session.phases_completed).toEqual(["clarify", "design", "stories"]);

    // What the planner was asked, as the fake recorded it.
    const calls = await h.calls();
    expect(calls).toHaveLength(5);
    expect(calls.map(phaseOf)).toEqual(["clarify", "clarify", "design", "stories", "finalize"]);
    const id = flag(calls[0]!, "--session-id");
    expect(id).toBe(session.session_id);
    expect(calls[0]!.argv).not.toContain("--resume");
    for (const call of calls.slice(1)) {
      expect(flag(call, "--resume")).toBe(id);
      expect(call.argv).not.toContain("--session-id");
    }
    for (const call of calls) {
      expect(call.argv[0]).toBe("-p");
      expect(flag(call, "--output-format")).toBe("json");
      // Read-only and outside plan mode: plan mode's injected instructions would override planbot's protocol.
      expect(call.argv).not.toContain("--permission-mode");
      expect(flag(call, "--tools")).toBe("Read,Grep,Glob");
      expect(flag(call, "--append-system-prompt")).toMatch(/^PLANBOT-PHASE: \w+\nPLANBOT-PROJECT: shop\n/);
      // Grounded: the project's own workspace, never planbot's data folder.
      expect(call.cwd).toBe(paths.root);
    }
    expect(new Set(calls.map((call) => flag(call, "--append-system-prompt"))).size).toBe(4);
    // Member text only as delimited user content, never in the system prompt.
    expect(calls[0]!.stdin).toContain("A tiny shop for hand-made mugs");
    expect(calls[0]!.stdin).toContain(`working directory: ${paths.root}`);
    expect(calls.some((call) => flag(call, "--append-system-prompt")!.includes("hand-made mugs"))).toBe(false);
    expect(calls[1]!.stdin).toBe(
      '<member-message from="owner" via="console">\nPotters selling mugs; Node only\n</member-message>',
    );

    // The conversation, read back from planbot's own record: who, where, what, in which phase.
    const transcript = await h.runtime.planning.transcript("shop");
    expect(transcript.map((entry) => entry.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(transcript[2]).toMatchObject({
      role: "user",
      text: "Potters selling mugs; Node only",
      user: "owner",
      adapter: "console",
      phase: "clarify",
    });
    expect(transcript[4]).toMatchObject({ role: "user", text: "/next", phase: "design" });
    expect(
      transcript.some((entry) =>
        /caveat|File does not exist|tool_use|PHASE_READY|No response requested/.test(entry.text),
      ),
    ).toBe(false);

    expect(await h.say("/status shop")).toContain("planning ended (approved) · 5 turns");
  });

  it("/next after the plan is written points at /done without asking the planner again", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("after-complete");
    await walkToStories(chat, "finished");
    expect(textOf(await chat.command("/next"))).toContain("Wrote `final-plan.md`");
    const callsBefore = (await h.calls()).length;
    const again = await chat.command("/next");
    expect(textOf(again)).toContain("The plan is written. `/done` approves **finished**");
    expect(again[0]!.actions?.map((action) => action.command)).toEqual(["/done"]);
    const done = await chat.command("/done");
    expect(textOf(done)).toContain("Approved **finished** with its plan");
    expect(textOf(done)).not.toContain("Wrote");
    expect(await h.calls()).toHaveLength(callsBefore);
    expect((await h.project("finished"))?.status).toBe("approved");
  });

  it("/done promises a scheduled run only when EXECUTE_AT is set; otherwise it says to /run", async ({ expect }) => {
    const unscheduled = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = unscheduled.memory("no-schedule");
    await walkToStories(chat, "manual-run");
    const done = textOf(await chat.command("/done"));
    expect(done).toContain(
      "Approved **manual-run** with its plan. No daily run is set up, so nothing starts it by itself: start Ralph with `/run manual-run` (admins).",
    );
    expect(done).not.toContain("scheduled");

    const scheduled = await harness({ env: { PLANBOT_MEMBERS: "memory:member1", EXECUTE_AT: "03:30" } });
    const other = scheduled.memory("with-schedule");
    await walkToStories(other, "daily-run");
    expect(textOf(await other.command("/done"))).toContain(
      "Approved **daily-run** with its plan. Ralph runs it at the next scheduled run (daily at 03:30), or now with `/run daily-run`.",
    );
  });

  it("/done before the stories phase writes the plan first (4-backtick plan with an inner bash block), then approves", async ({
    expect,
  }) => {
    const h = await harness({
      env: { PLANBOT_MEMBERS: "memory:member1" },
      fakeEnv: { CLAUDE_FAKE_FOUR_BACKTICKS: "1" },
    });
    const chat = h.memory("early");
    await chat.command("/plan early An early finisher");
    await chat.answer("That is all you need");
    const done = await chat.command("/done");
    expect(done).toHaveLength(1);
    expect(done[0]!.tone).toBe("success");
    expect(done[0]!.text).toContain("Wrote `final-plan.md` and `prd.json` (3 stories)");
    expect(done[0]!.text).toContain("Approved **early** with its plan");
    const calls = await h.calls();
    expect(calls.map(phaseOf)).toEqual(["clarify", "clarify", "finalize"]);
    const paths = workspacePaths(h.workspaceDir, "early");
    const plan = await readFile(paths.finalPlan, "utf8");
    expect(plan).toContain("Run the checks:\n\n```bash\nnpm ci && npm test\n```\n");
    expect(plan).not.toContain("````");
    expect(PrdSchema.safeParse(JSON.parse(await readFile(paths.prd, "utf8"))).success).toBe(true);
    expect(await h.project("early")).toMatchObject({ status: "approved", final_plan_path: paths.finalPlan });
    expect(await sessionOf(h, "memory:early")).toMatchObject({ closed_reason: "approved", phase: "__complete__" });
  });

  it("/stop returns the project to pending and ends the session; /plan starts a fresh one", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("stopper");
    await chat.command("/plan stopper A project we abandon");
    expect(await h.project("stopper")).toMatchObject({ status: "planning" });
    expect((await h.project("stopper"))?.planning_session_id).toBeTruthy();
    const stopped = await chat.command("/stop");
    expect(textOf(stopped)).toContain("Stopped planning **stopper**; it is pending again");
    expect(await h.project("stopper")).toMatchObject({ status: "pending", planning_session_id: null });
    expect(await sessionOf(h, "memory:stopper")).toMatchObject({ closed_reason: "stopped" });
    expect(await h.runtime.bot.hasSession({ adapter: "memory", channelId: "stopper" })).toBe(false);
    const orphan = await chat.answer("Anyone there?");
    expect(orphan[0]!.tone).toBe("error");
    expect(orphan[0]!.text).toBe(
      "Planning of **stopper** has ended (stopped with `/stop`), so this did not go to the planner. `/plan stopper` starts over; `/help` lists the commands.",
    );
    // The terminal's /status card says why in words, not the stored reason.
    expect(await h.say("/status stopper")).toContain("planning ended (stopped with /stop) · 1 turn ·");
    const again = await chat.command("/plan stopper");
    expect(textOf(again)).toContain("Before I design stopper");
    const calls = await h.calls();
    expect(calls).toHaveLength(2);
    expect(flag(calls[1]!, "--session-id")).toBeTruthy();
    expect(flag(calls[1]!, "--session-id")).not.toBe(flag(calls[0]!, "--session-id"));
  });
});

// ─── the final step's prd.json check ─────────────────────────────────────────────────────────────

describe.concurrent("the final step", { timeout: 60_000 }, () => {
  it("asks once for a corrected prd.json quoting the schema problem, then writes valid files", async ({ expect }) => {
    const h = await harness({
      env: { PLANBOT_MEMBERS: "memory:member1" },
      fakeEnv: { CLAUDE_FAKE_INVALID_PRD_ONCE: "1" },
    });
    const chat = h.memory("fixme");
    await walkToStories(chat, "fixme");
    const written = await chat.command("/next");
    expect(written[0]!.tone).toBe("planner");
    expect(written[0]!.text).toContain("Wrote `final-plan.md` and `prd.json` (3 stories)");
    const calls = await h.calls();
    expect(calls.map(phaseOf).slice(-2)).toEqual(["finalize", "correct"]);
    const correction = calls.at(-1)!;
    expect(correction.stdin).toContain("branchName");
    expect(correction.stdin).toContain("userStories.1.passes");
    expect(flag(correction, "--append-system-prompt")).toContain("userStories.1.passes");
    const paths = workspacePaths(h.workspaceDir, "fixme");
    const prd = PrdSchema.safeParse(JSON.parse(await readFile(paths.prd, "utf8")));
    expect(prd.success).toBe(true);
    expect(prd.data?.userStories[1]?.passes).toBe(false);
    expect(await readFile(paths.finalPlan, "utf8")).toMatch(/^# Plan for fixme/);
    expect(await sessionOf(h, "memory:fixme")).toMatchObject({
      phase: "__complete__",
      final_plan_path: paths.finalPlan,
    });
  });

  it("fails clearly and writes nothing when the correction is invalid too; a later /next can still succeed", async ({
    expect,
  }) => {
    let sabotage = true;
    const h = await harness({
      env: { PLANBOT_MEMBERS: "memory:member1" },
      // The final step's messages are planbot's own, so the directive is added on their way to the fake.
      planner: (env) => {
        const real = createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env });
        return {
          run: (turn) =>
            real.run(
              sabotage && /^PLANBOT-PHASE: (finalize|correct)$/m.test(turn.systemPrompt)
                ? { ...turn, message: `${turn.message} [[fake:invalid-prd]]` }
                : turn,
            ),
        };
      },
    });
    const chat = h.memory("broken");
    await walkToStories(chat, "broken");
    const failed = await chat.command("/next");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.tone).toBe("error");
    expect(failed[0]!.text).toMatch(/still does not match Ralph's schema after one correction/);
    expect(failed[0]!.text).toContain("branchName");
    expect(failed[0]!.text).toMatch(/Nothing was written/);
    expect((await h.calls()).map(phaseOf).slice(-2)).toEqual(["finalize", "correct"]);
    const paths = workspacePaths(h.workspaceDir, "broken");
    expect(existsSync(paths.prd)).toBe(false);
    expect(existsSync(paths.finalPlan)).toBe(false);
    expect(await sessionOf(h, "memory:broken")).toMatchObject({
      phase: "stories",
      final_plan_path: null,
      closed_at: null,
    });
    expect(await h.project("broken")).toMatchObject({ status: "planning", final_plan_path: null });

    sabotage = false;
    const retried = await chat.command("/next");
    expect(textOf(retried)).toContain("Wrote `final-plan.md` and `prd.json` (3 stories)");
    expect(PrdSchema.safeParse(JSON.parse(await readFile(paths.prd, "utf8"))).success).toBe(true);
  });
});

// ─── cross-chat continuation ─────────────────────────────────────────────────────────────────────

describe.concurrent("a session continued from another chat", { timeout: 60_000 }, () => {
  it("takes answers from both chats into one planner session and delivers every planner reply to both", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    expect(await h.say("/plan cross A project planned from two chats")).toContain("Before I design cross");
    const mem = h.memory("room-7");
    expect(await h.runtime.bot.hasSession({ adapter: "memory", channelId: "room-7" })).toBe(false);

    const joined = await mem.command("/continue cross");
    expect(textOf(joined)).toContain("This chat now follows the planning of **cross** (phase 1/3: clarify)");
    expect(textOf(joined)).toContain("Last from the planner:\nBefore I design cross");
    expect(await h.runtime.bot.hasSession({ adapter: "memory", channelId: "room-7" })).toBe(true);
    expect(delivered(h.outbox.console, "joined this planning session from memory")).toHaveLength(1);
    expect(h.consoleOutput()).toContain("mem-member1 joined this planning session from memory");

    // An answer from the memory chat: returned to it, mirrored to the console.
    const working: boolean[] = [];
    const fromMemory = await mem.answer("Answer typed in the memory chat", {
      working: (active) => working.push(active),
    });
    expect(working).toEqual([true, false]);
    expect(textOf(fromMemory)).toContain('You answered: "Answer typed in the memory chat"');
    const mirrored = delivered(h.outbox.console, 'You answered: "Answer typed in the memory chat"');
    expect(mirrored).toHaveLength(1);
    expect(mirrored[0]!.target).toEqual({ adapter: "console", channelId: "terminal" });
    expect(mirrored[0]!.reply.text).toMatch(/^\*\*mem-member1\*\* \(memory\): Answer typed in the memory chat\n\n/);
    expect(h.consoleOutput()).toContain('You answered: "Answer typed in the memory chat"');

    // An answer from the console: printed there, mirrored to the memory chat.
    const fromConsole = await h.say("Answer typed in the console");
    expect(fromConsole).toContain('You answered: "Answer typed in the console"');
    const toMemory = delivered(h.outbox.memory, 'You answered: "Answer typed in the console"');
    expect(toMemory).toHaveLength(1);
    expect(toMemory[0]!.target).toEqual({ adapter: "memory", channelId: "room-7" });
    expect(toMemory[0]!.reply.text).toContain("**owner** (terminal): Answer typed in the console");

    // /next from the memory chat moves the shared session; the console hears the design too.
    const design = await mem.command("/next");
    expect(textOf(design)).toContain("Design for cross.");
    expect(delivered(h.outbox.console, "Design for cross.")).toHaveLength(1);

    // No chat gets its own reply twice.
    expect(delivered(h.outbox.memory, "Answer typed in the memory chat")).toHaveLength(0);
    expect(delivered(h.outbox.memory, "Design for cross.")).toHaveLength(0);
    expect(delivered(h.outbox.console, "Answer typed in the console")).toHaveLength(0);

    const calls = await h.calls();
    expect(calls.map((call) => unwrap(call.stdin))).toEqual([
      expect.stringContaining("A project planned from two chats"),
      "Answer typed in the memory chat",
      "Answer typed in the console",
      "Let's move on to the design phase.",
    ]);
    const id = flag(calls[0]!, "--session-id");
    expect(calls.slice(1).map((call) => flag(call, "--resume"))).toEqual([id, id, id]);
    const session = await sessionOf(h, "console:terminal");
    expect(session.bound_chats).toEqual([{ adapter: "memory", channel_id: "room-7", thread_id: null }]);
    expect(session.phase).toBe("design");
    expect(Object.keys(await h.sessions())).toEqual(["console:terminal"]);
    expect(await h.say("/status cross")).toContain("chats: terminal, memory");
  });

  it("refuses /continue for a slug nobody is planning, and from a chat busy with another project", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const nobody = await h.memory("x").command("/continue ghost");
    expect(nobody[0]!.tone).toBe("error");
    expect(nobody[0]!.text).toContain("Nobody is planning **ghost** right now");
    const busy = h.memory("busy");
    await busy.command("/plan first-one The first project");
    await h.memory("other").command("/plan second-one The second project");
    const refused = await busy.command("/continue second-one");
    expect(refused[0]!.text).toContain("This chat is planning **first-one**");
    expect((await sessionOf(h, "memory:other")).bound_chats).toEqual([]);
  });
});

// ─── ordering and parallelism ────────────────────────────────────────────────────────────────────

describe.concurrent("sessions in parallel", { timeout: 60_000 }, () => {
  it("runs two sessions in parallel without cross-talk, each strictly in arrival order", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const alpha = h.memory("alpha-room");
    const beta = h.memory("beta-room");
    await Promise.all([alpha.command("/plan alpha The alpha project"), beta.command("/plan beta The beta project")]);
    // Each turn sleeps this long after the fake records its call.
    const slowMs = 200;
    const count = 4;
    const names = (prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}-${index + 1}`);
    // All the answers arrive at once, alpha's and beta's interleaved, each session's in a known order.
    const answeredAt = new Map<string, number>();
    const pending: Promise<Reply[]>[] = [];
    for (let index = 0; index < count; index += 1) {
      for (const [name, chat] of [
        ["alpha", alpha],
        ["beta", beta],
      ] as const) {
        const id = `${name}-${index + 1}`;
        pending.push(
          chat.answer(`${id} [[fake:slow=${slowMs}]]`).then((reply) => (answeredAt.set(id, Date.now()), reply)),
        );
      }
    }
    const replies = await Promise.all(pending);

    // Each sender got the answer to its own message, from its own session.
    replies.forEach((reply, index) => {
      const own = `${index % 2 === 0 ? "alpha" : "beta"}-${Math.floor(index / 2) + 1}`;
      expect(textOf(reply)).toContain(`You answered: "${own}"`);
      expect(textOf(reply)).not.toContain(index % 2 === 0 ? "beta" : "alpha-");
    });

    const calls = (await h.calls()).slice(2);
    const sessions = await h.sessions();
    const alphaId = sessions["memory:alpha-room"]!.session_id;
    const betaId = sessions["memory:beta-room"]!.session_id;
    const alphaCalls = calls.filter((call) => flag(call, "--resume") === alphaId);
    const betaCalls = calls.filter((call) => flag(call, "--resume") === betaId);
    expect(alphaCalls).toHaveLength(count);
    expect(betaCalls).toHaveLength(count);
    // No message reached the other session.
    expect(alphaCalls.every((call) => unwrap(call.stdin).startsWith("alpha-"))).toBe(true);
    expect(betaCalls.every((call) => unwrap(call.stdin).startsWith("beta-"))).toBe(true);
    // Within a session: arrival order, one at a time (each call starts after the previous one answered).
    expect(alphaCalls.map((call) => unwrap(call.stdin).split(" ")[0])).toEqual(names("alpha"));
    expect(betaCalls.map((call) => unwrap(call.stdin).split(" ")[0])).toEqual(names("beta"));
    for (const own of [alphaCalls, betaCalls]) {
      for (let index = 1; index < own.length; index += 1) {
        expect(Date.parse(own[index]!.at) - Date.parse(own[index - 1]!.at)).toBeGreaterThanOrEqual(slowMs);
      }
    }
    // Across sessions: the calls interleave, and some planner call of one session started while a turn of
    // the other was still running (after its call started, before its reply came back).
    const firstBeta = calls.findIndex((call) => unwrap(call.stdin).startsWith("beta-"));
    const lastAlpha = calls.findLastIndex((call) => unwrap(call.stdin).startsWith("alpha-"));
    expect(firstBeta).toBeLessThan(lastAlpha);
    const during = (running: Call, other: Call) => {
      const start = Date.parse(running.at);
      const end = answeredAt.get(unwrap(running.stdin).split(" ")[0]!)!;
      return Date.parse(other.at) >= start && Date.parse(other.at) < end;
    };
    const overlaps = alphaCalls.some((a) => betaCalls.some((b) => during(a, b) || during(b, a)));
    expect(overlaps).toBe(true);

    const transcript = await h.runtime.planning.transcript("alpha");
    expect(transcript.filter((entry) => entry.role === "user").map((entry) => entry.text.split(" ")[0])).toEqual([
      "The",
      ...names("alpha"),
    ]);
  });

  it("hands each session's messages to the planner one at a time in arrival order, many rounds", async ({ expect }) => {
    // A recording planner makes the turns fast, so many rounds of concurrent arrivals fit in little time.
    const seen = new Map<string, string[]>();
    const active = new Map<string, number>();
    let peakPerSession = 0;
    const planner: PlannerBackend = {
      async run(turn) {
        const key = turn.sessionId;
        seen.set(key, [...(seen.get(key) ?? []), unwrap(turn.message)]);
        active.set(key, (active.get(key) ?? 0) + 1);
        peakPerSession = Math.max(peakPerSession, active.get(key)!);
        await new Promise((resolve) => setTimeout(resolve, 3));
        active.set(key, active.get(key)! - 1);
        return {
          ok: true,
          text: `Echo: ${unwrap(turn.message)}`,
          sessionId: turn.sessionId,
          costUsd: 0,
          durationMs: 3,
        };
      },
    };
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" }, planner: () => planner });
    const left = h.memory("left");
    const right = h.memory("right");
    await left.command("/plan left-side Ordering, left");
    await right.command("/plan right-side Ordering, right");
    const leftId = (await sessionOf(h, "memory:left")).session_id;
    const rightId = (await sessionOf(h, "memory:right")).session_id;
    const sent = { left: [] as string[], right: [] as string[] };
    for (let round = 0; round < 3; round += 1) {
      const arrivals: Promise<Reply[]>[] = [];
      for (let index = 0; index < 4; index += 1) {
        for (const [name, chat] of [
          ["left", left],
          ["right", right],
        ] as const) {
          const text = `${name} round ${round} message ${index}`;
          sent[name].push(text);
          arrivals.push(chat.answer(text).then((reply) => (expect(textOf(reply)).toContain(`Echo: ${text}`), reply)));
        }
      }
      await Promise.all(arrivals);
    }
    expect(seen.get(leftId)?.slice(1)).toEqual(sent.left);
    expect(seen.get(rightId)?.slice(1)).toEqual(sent.right);
    expect(peakPerSession).toBe(1);
  });

  it("an answer sent right behind /next is answered in the new phase", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("quick");
    await chat.command("/plan quick A project with a quick typist");
    await chat.answer("Potters");
    // Both arrive together, /next first: the answer queues behind the phase change and must use its prompt.
    const [next, answer] = await Promise.all([chat.command("/next"), chat.answer("Keep it small")]);
    expect(textOf(next)).toContain("Design for quick.");
    expect(textOf(answer)).toContain("Design for quick.");
    const calls = await h.calls();
    expect(calls.slice(2).map((call) => [unwrap(call.stdin), phaseOf(call)])).toEqual([
      ["Let's move on to the design phase.", "design"],
      ["Keep it small", "design"],
    ]);
  });

  it("runs at most PLANNER_MAX_PARALLEL sessions' turns at once", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1", PLANNER_MAX_PARALLEL: "1" } });
    const one = h.memory("one");
    const two = h.memory("two");
    await one.command("/plan one-at-a-time First project");
    await two.command("/plan two-at-a-time Second project");
    const slowMs = 200;
    await Promise.all([
      one.answer(`one-a [[fake:slow=${slowMs}]]`),
      two.answer(`two-a [[fake:slow=${slowMs}]]`),
      one.answer(`one-b [[fake:slow=${slowMs}]]`),
      two.answer(`two-b [[fake:slow=${slowMs}]]`),
    ]);
    const calls = (await h.calls()).slice(2);
    expect(calls).toHaveLength(4);
    for (let index = 1; index < calls.length; index += 1) {
      expect(Date.parse(calls[index]!.at) - Date.parse(calls[index - 1]!.at)).toBeGreaterThanOrEqual(slowMs);
    }
  });
});

// ─── planner failures, seen from the chat ────────────────────────────────────────────────────────

const FAILURES: Array<{ mode: string; says: RegExp }> = [
  { mode: "crash", says: /planner stopped with exit code 3: fatal: simulated crash/ },
  { mode: "garbage", says: /output could not be read \(expected JSON, got "this is not json"\)/ },
  { mode: "is_error", says: /planner reported an error: API Error: overloaded/ },
  { mode: "error-subtype", says: /error_max_turns|maximum number of turns/i },
];

describe.concurrent("planner failures", { timeout: 60_000 }, () => {
  it.for(FAILURES)(
    "planner failure $mode is a reply the user understands, and the session carries on",
    async ({ mode, says }, { expect }) => {
      const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
      const chat = h.memory(`fails-${mode}`);
      await chat.command("/plan drill A failure drill");
      const failed = await chat.answer(`[[fake:${mode}]] Who uses it?`);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.tone).toBe("error");
      expect(failed[0]!.text).toMatch(says);
      expect(failed[0]!.text).toMatch(/send it again/i);
      expect(await sessionOf(h, `memory:fails-${mode}`)).toMatchObject({
        pending_message: null,
        turns: 1,
        phase: "clarify",
      });

      const recovered = await chat.answer("Potters, mostly");
      expect(recovered[0]!.tone).toBe("planner");
      expect(textOf(recovered)).toContain('You answered: "Potters, mostly"');
      const calls = await h.calls();
      expect(calls).toHaveLength(3);
      const id = flag(calls[0]!, "--session-id");
      expect(flag(calls[1]!, "--resume")).toBe(id);
      expect(flag(calls[2]!, "--resume")).toBe(id);
    },
  );

  it("a hanging planner times out (its process tree killed), and the next answer resumes the same session", async ({
    expect,
  }) => {
    const h = await harness({
      env: { PLANBOT_MEMBERS: "memory:member1" },
      planner: (env) => {
        // Only the hanging turn gets the short timeout: a normal turn can take over 1.5 s on a loaded machine.
        const short = createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 1500, env, killGraceMs: 300 });
        const normal = createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env });
        return { run: (turn) => (turn.message.includes("[[fake:hang]]") ? short : normal).run(turn) };
      },
    });
    const chat = h.memory("hang");
    await chat.command("/plan hanger A project whose planner hangs");
    const started = Date.now();
    const failed = await chat.answer("[[fake:hang]] Who uses it?");
    expect(Date.now() - started).toBeLessThan(6000);
    expect(failed[0]!.tone).toBe("error");
    expect(failed[0]!.text).toMatch(/did not answer within 2 s and was stopped/);
    const childPid = Number(await readFile(join(h.claudeDir, "fake-claude", "hang-child.pid"), "utf8"));
    const gone = await waitUntil(() => !alive(childPid), 3000);
    if (!gone) process.kill(childPid, "SIGKILL");
    expect(gone).toBe(true);

    const recovered = await chat.answer("Potters, mostly");
    expect(textOf(recovered)).toContain('You answered: "Potters, mostly"');
    const calls = await h.calls();
    expect(flag(calls.at(-1)!, "--resume")).toBe(flag(calls[0]!, "--session-id"));
  });

  it("a missing planner executable says how to fix it and leaves the project pending; once fixed, /plan starts", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1", PLANNER_COMMAND: "/nonexistent/claude" } });
    const chat = h.memory("missing");
    const started = await chat.command("/plan nobin A project without a planner");
    expect(started[0]!.tone).toBe("error");
    expect(started[0]!.text).toContain("Could not start planning **nobin**");
    expect(started[0]!.text).toMatch(/"\/nonexistent\/claude" was not found/);
    expect(started[0]!.text).toMatch(/npm install -g @anthropic-ai\/claude-code/);
    expect(started[0]!.text).toContain("PLANNER_COMMAND");
    expect(started[0]!.text).toContain("pending again");
    expect(await h.project("nobin")).toMatchObject({ status: "pending", planning_session_id: null });
    expect(await h.runtime.planning.hasSession(chat.target)).toBe(false);
    expect(await h.calls()).toEqual([]);

    await h.restart({ PLANNER_COMMAND: fakeClaudePath });
    const works = await chat.command("/plan nobin");
    expect(works[0]!.tone).toBe("planner");
    expect(textOf(works)).toContain("Before I design nobin");
    expect((await h.project("nobin"))?.status).toBe("planning");
    const calls = await h.calls();
    expect(calls).toHaveLength(1);
    expect(flag(calls[0]!, "--session-id")).toBe((await sessionOf(h, "memory:missing")).session_id);
  });

  it("a failed first turn leaves the project pending (not planning); the next /plan starts a fresh planner session", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("first-fails");
    const started = await chat.command("/plan shaky A shaky start [[fake:crash]]");
    expect(started[0]!.tone).toBe("error");
    expect(started[0]!.text).toMatch(/exit code 3/);
    expect((await h.project("shaky"))?.status).toBe("pending");
    const orphan = await chat.answer("Let us try again");
    expect(textOf(orphan)).toContain("No planning session in this chat");
    // The owner fixes what made the planner crash (here: the directive in the description), then plans again.
    await h.runtime.core.lifecycle.update("shaky", (entry) => void (entry.description = "A shaky start"));
    const again = await chat.command("/plan shaky");
    expect(textOf(again)).toContain("Before I design shaky");
    const second = await chat.answer("Potters");
    expect(textOf(second)).toContain('You answered: "Potters"');
    const calls = await h.calls();
    expect(calls).toHaveLength(3);
    const id = flag(calls[1]!, "--session-id");
    expect(id).toBeTruthy();
    expect(flag(calls[0]!, "--session-id")).not.toBe(id);
    expect(flag(calls[2]!, "--resume")).toBe(id);
  });

  it("not logged in is said as such, with where to fix it, and leaves the project pending", async ({ expect }) => {
    const h = await harness({
      env: { PLANBOT_MEMBERS: "memory:member1" },
      fakeEnv: { CLAUDE_FAKE_NOT_LOGGED_IN: "1" },
    });
    const chat = h.memory("nologin");
    const started = await chat.command("/plan nologin A project [[fake:not-logged-in]]");
    expect(started[0]!.tone).toBe("error");
    expect(started[0]!.text).toContain("cannot log in");
    expect(started[0]!.text).toContain("ANTHROPIC_API_KEY");
    expect(started[0]!.text).toContain("never in chat");
    expect(started[0]!.text).not.toContain("in a moment");
    expect((await h.project("nologin"))?.status).toBe("pending");
  });
});

// ─── restarts ────────────────────────────────────────────────────────────────────────────────────

describe.concurrent("restarts", { timeout: 60_000 }, () => {
  it("a new process continues the same Claude session on the next message", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("restart");
    await chat.command("/plan survivor A project that outlives its process");
    await chat.answer("Potters");
    const before = await sessionOf(h, "memory:restart");
    await h.restart();
    const next = await chat.command("/next");
    expect(textOf(next)).toContain("Design for survivor.");
    const calls = await h.calls();
    expect(calls).toHaveLength(3);
    expect(flag(calls[2]!, "--resume")).toBe(before.session_id);
    expect(calls[2]!.cwd).toBe(calls[0]!.cwd);
    expect(await sessionOf(h, "memory:restart")).toMatchObject({
      phase: "design",
      turns: 3,
      session_id: before.session_id,
    });
  });

  it("recoverInterrupted() tells every chat of the session about a turn that died, once; the message can be resent", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    await h.say("/plan lost A project whose turn dies");
    const mem = h.memory("watcher");
    await mem.command("/continue lost");
    const id = (await sessionOf(h, "console:terminal")).session_id;
    await h.stop();
    await plantInterruptedTurn(h, "console:terminal", "My answer that died with the process", {
      adapter: "console",
      channelId: "terminal",
    });
    await h.start();
    expect(await h.runtime.planning.recoverInterrupted()).toBe(1);
    for (const sent of [h.outbox.console, h.outbox.memory]) {
      const notices = delivered(sent, "My answer that died with the process");
      expect(notices).toHaveLength(1);
      expect(notices[0]!.reply.text).toMatch(/restarted/);
      expect(notices[0]!.reply.text).toMatch(/send it again/);
    }
    expect((await sessionOf(h, "console:terminal")).pending_message).toBeNull();
    expect(await h.runtime.planning.recoverInterrupted()).toBe(0);

    const resent = await h.say("My answer that died with the process");
    expect(resent).toContain('You answered: "My answer that died with the process"');
    expect(resent).not.toContain("never answered");
    expect(flag((await h.calls()).at(-1)!, "--resume")).toBe(id);
  });

  it("without recovery, the next answer's reply says which message was lost", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("lost-answer");
    await chat.command("/plan forgetful A project whose turn dies");
    await h.stop();
    await plantInterruptedTurn(h, "memory:lost-answer", "The lost answer", chat.target);
    await h.start();
    const reply = await chat.answer("Something new");
    expect(textOf(reply)).toMatch(/"The lost answer" was never answered/);
    expect(textOf(reply)).toContain('You answered: "Something new"');
    const resent = await chat.answer("The lost answer");
    expect(textOf(resent)).toContain('You answered: "The lost answer"');
    expect(textOf(resent)).not.toContain("never answered");
  });

  it("without recovery, a /next right after the restart still says which message was lost", async ({ expect }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("lost-next");
    await chat.command("/plan nexter A project whose turn dies");
    await chat.answer("Potters");
    await h.stop();
    await plantInterruptedTurn(h, "memory:lost-next", "The answer lost before /next", chat.target);
    await h.start();
    const next = await chat.command("/next");
    expect(textOf(next)).toContain("Design for nexter.");
    // The turn runner noticed the dead turn and dropped the trace; the user must hear about it somewhere.
    const told =
      textOf(next).includes("The answer lost before /next") ||
      delivered(h.outbox.memory, "The answer lost before /next").length > 0;
    expect(told).toBe(true);
  });

  it("without recovery, a failing first turn after the restart still says which message was lost", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_MEMBERS: "memory:member1" } });
    const chat = h.memory("lost-fail");
    await chat.command("/plan failer A project whose turn dies");
    await h.stop();
    await plantInterruptedTurn(h, "memory:lost-fail", "The answer lost before a crash", chat.target);
    await h.start();
    const failed = await chat.answer("[[fake:crash]] Again");
    expect(failed[0]!.text).toMatch(/exit code 3/);
    const told =
      textOf(failed).includes("The answer lost before a crash") ||
      delivered(h.outbox.memory, "The answer lost before a crash").length > 0;
    expect(told).toBe(true);
  });
});

// ─── the approval guard and roles ────────────────────────────────────────────────────────────────

describe.concurrent("the approval guard", { timeout: 60_000 }, () => {
  it("refuses to re-plan an approved project with a Re-plan anyway button; --force is for admins only", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_ADMINS: "memory:admin1", PLANBOT_MEMBERS: "memory:member1" } });
    const admin = h.memory("ops", "admin1");
    const member = h.memory("team", "member1");
    const guest = h.memory("lobby", "stranger");
    expect(textOf(await admin.command("/p guarded A project that gets approved"))).toContain("Proposed **guarded**");
    // Its plan: what re-planning would replace.
    await mkdir(join(h.workspaceDir, "guarded", "scripts", "ralph"), { recursive: true });
    await writeFile(
      join(h.workspaceDir, "guarded", "scripts", "ralph", "prd.json"),
      JSON.stringify({ userStories: [{ id: "US-1", title: "One", passes: false }] }),
    );
    expect(textOf(await admin.command("/approve guarded"))).toContain("Approved **guarded**");

    const plan = await member.command("/plan guarded");
    expect(plan).toHaveLength(1);
    expect(plan[0]!.tone).toBe("error");
    expect(plan[0]!.text).toContain('"guarded" is already approved');
    expect(plan[0]!.actions).toEqual([
      { label: "Re-plan anyway", command: "/replan guarded --force", style: "danger" },
    ]);
    const replan = await member.command("/replan guarded");
    expect(replan[0]!.actions?.[0]?.command).toBe("/replan guarded --force");

    const memberForce = await member.command("/replan guarded --force");
    expect(memberForce[0]!.tone).toBe("error");
    expect(memberForce[0]!.text).toContain("/replan --force needs the admin role; you are a member");
    const guestPlan = await guest.command("/plan other Something else");
    expect(guestPlan[0]!.text).toContain("/plan needs the member role");
    const guestAnswer = await guest.answer("Let me in");
    expect(guestAnswer[0]!.text).toContain("answering the planner needs the member role");
    expect(await h.project("guarded")).toMatchObject({ status: "approved" });
    expect(await h.calls()).toEqual([]);
    expect(await h.sessions()).toEqual({});

    const adminForce = await admin.command("/replan guarded --force");
    expect(adminForce[0]!.tone).toBe("planner");
    expect(adminForce[0]!.text).toContain("Planning **guarded**");
    expect(adminForce[0]!.text).toContain("Before I design guarded");
    expect(await h.project("guarded")).toMatchObject({ status: "planning" });
    expect((await h.project("guarded"))?.planning_session_id).toBe(
      (await sessionOf(h, "memory:ops")).planning_session_id,
    );
    expect(await h.calls()).toHaveLength(1);
  });

  it("plans a project approved as is before any plan when a member follows /approve's own advice", async ({
    expect,
  }) => {
    const h = await harness({ env: { PLANBOT_ADMINS: "memory:admin1", PLANBOT_MEMBERS: "memory:member1" } });
    const admin = h.memory("ops", "admin1");
    const member = h.memory("team", "member1");
    expect(textOf(await admin.command("/p unplanned A project approved before planning"))).toContain("Proposed");
    const approved = textOf(await admin.command("/approve unplanned"));
    expect(approved).toContain("Plan it: `/plan unplanned`");
    const plan = await member.command("/plan unplanned");
    expect(plan[0]!.tone).toBe("planner");
    expect(plan[0]!.text).toContain("Planning **unplanned**");
    expect(await h.project("unplanned")).toMatchObject({ status: "planning" });
  });
});
