// Every handler through the terminal adapter (PassThrough streams) over a real runtime whose store
// lives in a temp PLANBOT_DATA_DIR: lines typed as a user would, output read as the user sees it.
import { writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";
import { createBot } from "../../src/bot/bot.ts";
import { createDefaultRegistry } from "../../src/bot/commands/index.ts";
import { createRoles } from "../../src/bot/roles.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { PlannerBackend, PlannerTurn } from "../../src/planning/planner-backend.ts";
import { fail } from "../../src/projects/result.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import type { ProjectEntry, TasksFile } from "../../src/projects/schemas.ts";
import { createCoreServices } from "../../src/projects/core-services.ts";
import { createRuntime, type Runtime, type RuntimeOverrides } from "../../src/runtime/runtime.ts";
import { typeInto } from "../helpers/console-typing.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  await temp.cleanup();
});

const USER = "alice";

/** A planner that never runs a process; these tests are about the command layer, not planning. */
function stubPlanner(turns: PlannerTurn[]): PlannerBackend {
  return {
    async run(turn) {
      turns.push(turn);
      return fail("planner_failed", "no planner in the command-layer tests", { details: { reason: "missing" } });
    },
  };
}

/** A terminal chat over a fresh runtime; `say` types lines and returns what the terminal printed. */
async function startChat(overrides: RuntimeOverrides = {}) {
  const dir = await temp.make("console-");
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dir }, dir);
  if (!loaded.ok) throw new Error(loaded.message);
  const plannerTurns: PlannerTurn[] = [];
  const runtime = createRuntime(loaded.config, silentLogger, { planner: stubPlanner(plannerTurns), ...overrides });
  runtimes.push(runtime);

  async function say(...lines: string[]): Promise<string> {
    const printed = await typeInto(runtime.bot, lines);
    await runtime.bot.drain();
    return printed;
  }

  async function projects(): Promise<ProjectEntry[]> {
    try {
      const file = JSON.parse(await readFile(join(dir, TASKS_FILE_NAME), "utf8")) as TasksFile;
      return file.projects ?? [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }

  async function project(slug: string): Promise<ProjectEntry | undefined> {
    return (await projects()).find((entry) => entry.name === slug);
  }

  return { runtime, dir, say, projects, project, plannerTurns };
}

const USAGE_P = "Usage: /p <slug> <description…> [--repo R] [--branch B] [--base M]";

describe("/p (/propose) through the terminal", () => {
  it.each([
    {
      line: `/p my-app "A todo app" --repo todo --branch feat/x --base main`,
      slug: "my-app",
      entry: { description: "A todo app", repo: "todo", branch: "feat/x", base_branch: "main" },
      shows: [
        "Proposed my-app: A todo app",
        "repo todo · branch feat/x · base main",
        "[Plan] /plan my-app",
        "[Approve] /approve my-app",
      ],
    },
    {
      line: `/propose my-app --repo=todo --base=develop 'A todo app'`,
      slug: "my-app",
      entry: { description: "A todo app", repo: "todo", branch: null, base_branch: "develop" },
      shows: ["Proposed my-app: A todo app", "repo todo · base develop"],
    },
    {
      line: `/p my-app A todo app with reminders --repo todo`,
      slug: "my-app",
      entry: { description: "A todo app with reminders", repo: "todo", branch: null, base_branch: null },
      shows: ["Proposed my-app: A todo app with reminders"],
    },
    {
      line: `/p bobs Bob's app`,
      slug: "bobs",
      entry: { description: "Bob's app" },
      shows: ["Proposed bobs: Bob's app"],
    },
    {
      line: `/p x -- --not-a-flag words`,
      slug: "x",
      entry: { description: "--not-a-flag words" },
      shows: ["Proposed x: --not-a-flag words"],
    },
    {
      line: `/p My-App desc`,
      slug: "my-app",
      entry: { description: "desc" },
      shows: [
        "Proposed my-app: desc",
        "Slugs are lower-case, so My-App is stored as my-app: use that name from now on.",
      ],
    },
    {
      line: `/p marks "a *bold* _claim_ [x] with \`ticks\`"`,
      slug: "marks",
      entry: { description: "a *bold* _claim_ [x] with `ticks`" },
      shows: ["Proposed marks: a *bold* _claim_ [x] with `ticks`"],
    },
    {
      line: `/p emoji 😀 עברית 中文`,
      slug: "emoji",
      entry: { description: "😀 עברית 中文" },
      shows: ["Proposed emoji: 😀 עברית 中文"],
    },
  ])("$line", async ({ line, slug, entry, shows }) => {
    const chat = await startChat();
    const out = await chat.say(line);
    for (const text of shows) expect(out).toContain(text);
    expect(await chat.project(slug)).toMatchObject({ name: slug, status: "pending", ...entry });
    expect(await chat.projects()).toHaveLength(1);
  });

  it.each([
    { line: `/p x`, shows: ["/p needs a description.", USAGE_P] },
    { line: `/p`, shows: ["/p needs a slug.", USAGE_P] },
    { line: `/p x desc --nope 1`, shows: ["/p has no option --nope", USAGE_P] },
    { line: `/p x desc --repo`, shows: ["--repo needs a value", USAGE_P] },
    { line: `/p x "unclosed`, shows: ["a quote is not closed", USAGE_P] },
    { line: `/p x desc --repo a --repo b`, shows: ["--repo is given twice", USAGE_P] },
    { line: `/p x desc --repo=--x`, shows: [`repo "--x" is not valid`] },
    { line: `/p x desc --branch -evil`, shows: [`branch "-evil" is not a valid git branch name`] },
    { line: `/p "bad slug!" desc`, shows: [`slug "bad slug!" is not valid`] },
    { line: `/p ${"a".repeat(64)} desc`, shows: ["the limit is 63"] },
    { line: `/p x ${"long ".repeat(500)}`, shows: ["the limit is 2000"] },
    { line: `/p x a\u0001b`, shows: ["control characters"] },
  ])("refuses $line and stores nothing", async ({ line, shows }) => {
    const chat = await startChat();
    const out = await chat.say(line);
    for (const text of shows) expect(out).toContain(text);
    expect(out).not.toContain("Proposed");
    expect(await chat.projects()).toEqual([]);
  });

  it("refuses a duplicate slug, case-insensitively", async () => {
    const chat = await startChat();
    await chat.say("/p my-app first");
    const out = await chat.say("/p MY-APP second");
    expect(out).toContain(`A project named "my-app" already exists (status pending)`);
    expect(await chat.projects()).toHaveLength(1);
    expect((await chat.project("my-app"))?.description).toBe("first");
  });
});

describe("/approve, /unapprove, /cancel through the terminal", () => {
  it("approve → unapprove → approve → cancel, each one store change", async () => {
    const chat = await startChat();
    await chat.say(`/p my-app "A todo app"`);
    // Never planned: approved, but the reply says Ralph needs a plan first (the run preflight refuses without one).
    const unplanned = await chat.say("/approve my-app");
    expect(unplanned).toContain(
      "Approved my-app, but Ralph needs a plan first: it has no prd.json with open stories, so /run my-app is refused until it is planned. Plan it: /plan my-app.",
    );
    expect(unplanned).toContain("[Plan] /plan my-app");
    expect(await chat.project("my-app")).toMatchObject({ status: "approved", approved_at: expect.any(String) });
    expect(await chat.say("/unapprove my-app")).toBe(
      "my-app is pending again (it was approved): Ralph does not run it until it is approved again (/approve my-app).\n",
    );
    expect(await chat.project("my-app")).toMatchObject({ status: "pending", approved_at: null });
    await mkdir(join(chat.dir, "workspace", "my-app", "scripts", "ralph"), { recursive: true });
    await writeFile(
      join(chat.dir, "workspace", "my-app", "scripts", "ralph", "prd.json"),
      JSON.stringify({ branchName: "ralph/my-app", userStories: [{ id: "US-1", passes: false }] }),
    );
    expect(await chat.say("/approve MY-APP")).toBe(
      "Approved my-app. No daily run is set up, so nothing starts it by itself: start Ralph with /run my-app (admins).\n",
    );
    expect(await chat.say("/cancel my-app")).toBe(
      "Cancelled my-app: it shows as cancelled and Ralph does not run it. Its files stay; /replan my-app plans it again.\n",
    );
    expect(await chat.project("my-app")).toMatchObject({ status: "cancelled" });
    const file = JSON.parse(await readFile(join(chat.dir, TASKS_FILE_NAME), "utf8")) as TasksFile;
    expect(file.version).toBe(5);
  });

  it.each(["approve", "unapprove", "cancel"])("/%s of an unknown project says so", async (name) => {
    const chat = await startChat();
    expect(await chat.say(`/${name} ghost`)).toContain(`No project named "ghost"`);
    expect(await chat.say(`/${name}`)).toContain(`/${name} needs a slug.\nUsage: /${name} <slug>`);
    expect(await chat.say(`/${name} Bad_Slug`)).toContain(`slug "Bad_Slug" is not valid`);
    expect(await chat.projects()).toEqual([]);
  });
});

describe("/status through the terminal", () => {
  it("with no projects suggests /p", async () => {
    const chat = await startChat();
    expect(await chat.say("/status")).toContain("No projects yet. Propose one: /p my-app A todo app with reminders");
  });

  it("lists every project with its status", async () => {
    const chat = await startChat();
    await chat.say("/p alpha first one", "/p beta second one", "/approve beta");
    const out = await chat.say("/status");
    expect(out).toContain("Projects (2)");
    expect(out).toContain("alpha — pending — not planned yet");
    // Approved as is, before any plan: Ralph has nothing to run yet.
    expect(out).toContain("beta — approved — not planned yet");
  });

  it("/status slug shows the card and its buttons", async () => {
    const chat = await startChat();
    await chat.say(`/p my-app "A todo app" --repo todo --branch feat/x --base main`);
    const out = await chat.say("/status my-app");
    expect(out).toBe(
      [
        "my-app — pending — not planned yet",
        "A todo app",
        "repo todo · branch feat/x · base main",
        "  [Plan] /plan my-app",
        "  [Approve] /approve my-app",
        "  [Status] /status my-app",
        "",
      ].join("\n"),
    );
    // The same reply, structurally: the buttons are command lines the parser accepts.
    const [reply] = await chat.runtime.bot.handleCommand({
      adapter: "console",
      channelId: "terminal",
      userId: USER,
      userName: USER,
      text: "/status my-app",
    });
    expect(reply?.actions?.map((action) => action.command)).toEqual([
      "/plan my-app",
      "/approve my-app",
      "/status my-app",
    ]);
    for (const action of reply?.actions ?? []) expect(chat.runtime.bot.commandFor(action.command)).toBeDefined();
  });

  it("/status slug of an approved project offers Run now once it is planned, planning before", async () => {
    const chat = await startChat();
    await chat.say("/p my-app desc", "/approve my-app");
    const unplanned = await chat.say("/status my-app");
    expect(unplanned).toContain("my-app — approved — not planned yet");
    expect(unplanned).toContain("[Plan] /plan my-app");
    expect(unplanned).not.toContain("[Run now]");
    await writePlanningArtifacts(chat.runtime.config.workspaceDir, "my-app");
    const out = await chat.say("/status my-app");
    expect(out).toContain("my-app — approved — ready for Ralph");
    expect(out).toContain("[Run now] /run my-app");
    expect(out).not.toContain("[Approve]");
  });

  it("/status of an unknown slug says so", async () => {
    const chat = await startChat();
    expect(await chat.say("/status ghost")).toContain(`No project named "ghost". /status lists them.`);
  });

  // Bug: /status joins the slug onto the workspace path unchecked, so ".." shows the data folder as an
  // "idle" project (with an Approve button) and a NUL byte makes statSync throw inside the handler.
  it.each(["..", "../..", "../../etc", "./", "a/../b"])(
    "/status %s is no project (no path outside the workspace)",
    async (slug) => {
      const chat = await startChat();
      await chat.say("/p my-app desc");
      const out = await chat.say(`/status ${slug}`);
      expect(out).toMatch(/^No project named|is not valid/);
      expect(out).not.toContain("[Approve]");
    },
  );

  it("/status with a NUL byte in the slug is answered, not a handler crash", async () => {
    const chat = await startChat();
    const out = await chat.say("/status a\u0000b");
    expect(out).not.toContain("Something went wrong");
    expect(out).toMatch(/No project named|is not valid/);
  });

  it("/status with a name longer than a file name may be is answered, not a handler crash", async () => {
    const chat = await startChat();
    // With the workspace folder there, the name reaches the file system (which refuses it) rather than
    // stopping at a folder that does not exist.
    await mkdir(chat.runtime.config.workspaceDir, { recursive: true });
    const out = await chat.say(`/status ${"a".repeat(300)}`);
    expect(out).not.toContain("Something went wrong");
    expect(out).toContain(`No project named "${"a".repeat(300)}". /status lists them.`);
  });
});

describe("/whoami and /help through the terminal", () => {
  it("/whoami shows the console identity and the admin role", async () => {
    const chat = await startChat();
    expect(await chat.say("/whoami")).toBe("You are alice, console:alice, role: admin.\n");
  });

  it("/help lists every command for the terminal's admin", async () => {
    const chat = await startChat();
    const out = await chat.say("/help");
    expect(out).toContain("planbot commands");
    for (const command of chat.runtime.bot.registry.commands) expect(out).toContain(`/${command.name}`);
    expect(out).toContain(
      "/p <slug> <description…> [--repo R] [--branch B] [--base M] (also /propose) — propose a new project",
    );
    expect(out).toContain("/help [command] (also /start) — list the commands");
    expect(out).not.toContain("need a role you do not have");
    expect(await chat.say("/start")).toBe(out);
  });
});

describe("planning and run commands before their services exist", () => {
  /** The issue-3 wiring: a bot over the store services only, no planning and no executor. */
  async function chatWithoutPlanning() {
    const dir = await temp.make("console-bare-");
    const loaded = loadConfig({ PLANBOT_DATA_DIR: dir }, dir);
    if (!loaded.ok) throw new Error(loaded.message);
    const core = createCoreServices(loaded.config);
    const bot = createBot({
      registry: createDefaultRegistry(),
      services: { lifecycle: core.lifecycle, lister: core.lister, clock: core.clock },
      roles: createRoles(loaded.config),
      log: silentLogger,
    });
    const statusOf = async (slug: string) => {
      const listed = await core.lister.get(slug);
      return listed.ok ? listed.record?.status : undefined;
    };
    return { bot, core, statusOf, say: (...lines: string[]) => typeInto(bot, lines) };
  }

  it.each([
    ["/plan my-app", "Planning is not available yet in this planbot."],
    ["/plan new-app a brand new app", "Planning is not available yet in this planbot."],
    ["/replan my-app", "Planning is not available yet in this planbot."],
    ["/replan my-app --force", "Planning is not available yet in this planbot."],
    ["/next", "Planning is not available yet in this planbot."],
    ["/done", "Planning is not available yet in this planbot."],
    ["/stop", "Planning is not available yet in this planbot."],
    ["/continue my-app", "Planning is not available yet in this planbot."],
    ["/run my-app", "The Ralph executor is not available yet in this planbot."],
  ])("%s answers %j", async (line, answer) => {
    const chat = await chatWithoutPlanning();
    await chat.say("/p my-app desc");
    expect(await chat.say(line)).toBe(`${answer}\n`);
    expect(await chat.statusOf("my-app")).toBe("pending");
    expect(await chat.statusOf("new-app")).toBeUndefined();
  });

  it("plain text without a planning session gets the hint, and answers are not routed anywhere", async () => {
    const chat = await chatWithoutPlanning();
    expect(await chat.say("what about dark mode?")).toBe(
      "Commands start with /. Send /help to see them, or /plan <slug> to start planning here.\n",
    );
    expect(
      await chat.bot.handleAnswer({
        adapter: "console",
        channelId: "terminal",
        userId: USER,
        userName: USER,
        text: "hi",
      }),
    ).toEqual([]);
  });

  it("usage errors still come first: /plan without a slug shows the usage line", async () => {
    const chat = await chatWithoutPlanning();
    expect(await chat.say("/plan")).toBe("/plan needs a slug.\nUsage: /plan <slug> [description…]\n");
  });
});

describe("the terminal chat itself", () => {
  it("unknown commands, usage errors and plain text", async () => {
    const chat = await startChat();
    expect(await chat.say("/nope")).toBe("Unknown command /nope. Send /help to see what planbot understands.\n");
    expect(await chat.say("/status a b")).toBe(`/status does not take "b".\nUsage: /status [slug]\n`);
    expect(await chat.say("hello there")).toBe(
      "Commands start with /. Send /help to see them, or /plan <slug> to start planning here.\n",
    );
    expect(await chat.say("", "   ")).toBe("");
  });

  it("bot mentions: its own name is handled, another bot's is ignored", async () => {
    const chat = await startChat({ botUsername: "planbot_bot" });
    expect(await chat.say("/p@otherbot other desc")).toBe("");
    expect(await chat.project("other")).toBeUndefined();
    expect(await chat.say("/p@planbot_bot mine desc")).toContain("Proposed mine: desc");
    expect(await chat.project("mine")).toMatchObject({ status: "pending" });
  });

  it("none of these handlers reaches the planner", async () => {
    const chat = await startChat();
    await chat.say(
      "/p my-app desc",
      "/status",
      "/status my-app",
      "/approve my-app",
      "/unapprove my-app",
      "/cancel my-app",
      "/whoami",
      "/help",
      "just text",
    );
    expect(chat.plannerTurns).toEqual([]);
  });

  it("handles many lines one at a time, in order, none lost", async () => {
    const chat = await startChat();
    const slugs = Array.from({ length: 40 }, (_, index) => `app-${index}`);
    const out = await chat.say(...slugs.flatMap((slug) => [`/p ${slug} number ${slug}`, `/approve ${slug}`]));
    const lines = out.split("\n").filter((line) => line.startsWith("Proposed") || line.startsWith("Approved"));
    expect(lines).toEqual(
      slugs.flatMap((slug) => [
        `Proposed ${slug}: number ${slug}`,
        `Approved ${slug}, but Ralph needs a plan first: it has no prd.json with open stories, so /run ${slug} is refused until it is planned. Plan it: /plan ${slug}.`,
      ]),
    );
    const stored = await chat.projects();
    expect(stored).toHaveLength(40);
    expect(stored.every((entry) => entry.status === "approved")).toBe(true);
  });

  it("prints replies other chats send here through its outbound port", async () => {
    const chat = await startChat();
    const output = new PassThrough();
    let printed = "";
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => (printed += chunk));
    const adapter = createConsoleAdapter({ bot: chat.runtime.bot, input: new PassThrough(), output, userName: USER });
    chat.runtime.outbound.register("console", adapter.outbound);
    const sent = await chat.runtime.outbound.send(
      { adapter: "console", channelId: "terminal" },
      { text: "**done**: see \\*this\\*", actions: [{ label: "Status", command: "/status x" }] },
    );
    adapter.close();
    expect(sent.ok).toBe(true);
    expect(printed).toBe("done: see *this*\n  [Status] /status x\n");
  });
});
