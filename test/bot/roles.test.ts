// Who may run what: every command for admins, members and guests, from PLANBOT_ADMINS / PLANBOT_MEMBERS.
import { afterEach, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../../src/bot/bot.ts";
import { createDefaultRegistry } from "../../src/bot/commands/index.ts";
import type { Incoming } from "../../src/chat/incoming.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { createRoles, roleAllows, type Role } from "../../src/bot/roles.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import { fail } from "../../src/projects/result.ts";
import { createCoreServices, type CoreServices } from "../../src/projects/core-services.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  await temp.cleanup();
});

const ADMIN = "100";
const MEMBER = "300";
const GUEST = "999";
/** Admin on Telegram only: on Discord the same id is nobody. */
const TELEGRAM_ADMIN = "200";

async function makeConfig(): Promise<Config> {
  const dir = await temp.make("roles-");
  const loaded = loadConfig(
    {
      PLANBOT_DATA_DIR: dir,
      PLANBOT_ADMINS: `discord:${ADMIN}, telegram:${TELEGRAM_ADMIN}`,
      PLANBOT_MEMBERS: `discord:${MEMBER},telegram:400`,
    },
    dir,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.config;
}

/** The issue-3 bot: store services only, so an allowed planning command answers "not available yet". */
async function makeBot(): Promise<{ bot: Bot; core: CoreServices }> {
  const config = await makeConfig();
  const core = createCoreServices(config);
  const bot = createBot({
    registry: createDefaultRegistry(),
    services: { lifecycle: core.lifecycle, lister: core.lister, clock: core.clock },
    roles: createRoles(config),
    log: silentLogger,
  });
  const seeded = await core.lifecycle.propose({ slug: "seeded", description: "A project every command can act on" });
  if (!seeded.ok) throw new Error(seeded.message);
  return { bot, core };
}

function incoming(userId: string, text: string, adapter = "discord"): Incoming {
  return { adapter, channelId: "chan-1", userId, userName: `user-${userId}`, text };
}

async function statusOf(core: CoreServices, slug: string): Promise<string | undefined> {
  const read = await core.store.read();
  if (!read.ok) throw new Error(read.message);
  return read.file.projects?.find((entry) => entry.name === slug)?.status;
}

const REFUSAL = /needs the (admin|member|anyone) role/;

interface Row {
  line: string;
  /** What the refusal names (`/replan --force` for a flag that needs more than its command). */
  what: string;
  needs: "anyone" | "member" | "admin";
  /** When a flag needs more than its command: the command's own role, checked first. */
  command?: { what: string; needs: "member" };
  /** For allowed runs: what the reply says, proving the handler ran. */
  allowed: RegExp;
  /** The seeded project's status after an allowed run (refused runs leave it pending). */
  after?: string;
}

const NOT_YET = /not available yet/;
const rows: Row[] = [
  { line: "/p fresh A new project", what: "/p", needs: "member", allowed: /^Proposed \*\*fresh\*\*/ },
  { line: "/propose fresh A new project", what: "/p", needs: "member", allowed: /^Proposed \*\*fresh\*\*/ },
  { line: "/plan seeded", what: "/plan", needs: "member", allowed: NOT_YET },
  { line: "/replan seeded", what: "/replan", needs: "member", allowed: NOT_YET },
  { line: "/replan seeded --force=false", what: "/replan", needs: "member", allowed: NOT_YET },
  {
    line: "/replan seeded --force",
    what: "/replan --force",
    needs: "admin",
    command: { what: "/replan", needs: "member" },
    allowed: NOT_YET,
  },
  {
    line: "/replan seeded --force=yes",
    what: "/replan --force",
    needs: "admin",
    command: { what: "/replan", needs: "member" },
    allowed: NOT_YET,
  },
  { line: "/approve seeded", what: "/approve", needs: "admin", allowed: /^Approved \*\*seeded\*\*/, after: "approved" },
  {
    line: "/unapprove seeded",
    what: "/unapprove",
    needs: "admin",
    allowed: /^\*\*seeded\*\* was not approved \(it is pending\)/,
    after: "pending",
  },
  { line: "/cancel seeded", what: "/cancel", needs: "admin", allowed: /^Cancelled \*\*seeded\*\*/, after: "cancelled" },
  { line: "/edit seeded --base develop", what: "/edit", needs: "member", allowed: /^Edited \*\*seeded\*\*:\n- base/ },
  { line: "/status", what: "/status", needs: "member", allowed: /^\*\*Projects\*\* \(1\)/ },
  { line: "/status seeded", what: "/status", needs: "member", allowed: /^\*\*seeded\*\* — pending/ },
  { line: "/next", what: "/next", needs: "member", allowed: NOT_YET },
  { line: "/done", what: "/done", needs: "member", allowed: NOT_YET },
  { line: "/stop", what: "/stop", needs: "member", allowed: NOT_YET },
  { line: "/continue seeded", what: "/continue", needs: "member", allowed: NOT_YET },
  { line: "/run seeded", what: "/run", needs: "admin", allowed: NOT_YET },
  { line: "/deliver seeded", what: "/deliver", needs: "member", allowed: NOT_YET },
  { line: "/whoami", what: "/whoami", needs: "anyone", allowed: /^You are user-/ },
  { line: "/help", what: "/help", needs: "anyone", allowed: /^\*\*planbot commands\*\*/ },
  { line: "/start", what: "/help", needs: "anyone", allowed: /^\*\*planbot commands\*\*/ },
];

const people: { role: Role; userId: string }[] = [
  { role: "admin", userId: ADMIN },
  { role: "member", userId: MEMBER },
  { role: "guest", userId: GUEST },
  { role: "guest", userId: TELEGRAM_ADMIN },
];

const cases = people.flatMap((person) =>
  rows.map((row) => ({ ...person, ...row, label: `${person.role} discord:${person.userId}` })),
);

describe("every command for every role", () => {
  it.each(cases)(
    "$label: $line",
    async ({ role, userId, line, what: flagWhat, needs: flagNeeds, command, allowed, after }) => {
      const { bot, core } = await makeBot();
      const replies = await bot.handleCommand(incoming(userId, line));
      expect(replies).toHaveLength(1);
      const reply = replies[0] as Reply;
      // A guest is first told about the command's own role; a member about the flag's.
      const first = command && !roleAllows(role, command.needs);
      const what = first ? command.what : flagWhat;
      const needs = first ? command.needs : flagNeeds;
      if (roleAllows(role, flagNeeds)) {
        expect(reply.text).not.toMatch(REFUSAL);
        expect(reply.text).toMatch(allowed);
        expect(await statusOf(core, "seeded")).toBe(after ?? "pending");
        if (line.includes("fresh")) expect(await statusOf(core, "fresh")).toBe("pending");
        return;
      }
      expect(reply.tone).toBe("error");
      expect(reply.ephemeral).toBe(true);
      expect(reply.text).toContain(`${what} needs the ${needs} role`);
      expect(reply.text).toContain(role === "guest" ? "you are not on the member or admin list" : `you are a ${role}`);
      expect(reply.text).toContain(
        `An admin can add \`discord:${userId}\` to ${needs === "admin" ? "PLANBOT_ADMINS" : "PLANBOT_MEMBERS"}.`,
      );
      // Refused means nothing happened.
      expect(await statusOf(core, "seeded")).toBe("pending");
      expect(await statusOf(core, "fresh")).toBeUndefined();
    },
  );

  it("the matrix matches the README's Roles: members propose, plan, answer, next, done, stop, status, continue, deliver", () => {
    const registry = createDefaultRegistry();
    const byRole = (needed: string) =>
      registry.commands
        .filter((command) => command.role === needed)
        .map((command) => command.name)
        .sort();
    expect(byRole("anyone")).toEqual(["help", "whoami"]);
    expect(byRole("member")).toEqual([
      "continue",
      "deliver",
      "done",
      "edit",
      "next",
      "p",
      "plan",
      "replan",
      "status",
      "stop",
    ]);
    expect(byRole("admin")).toEqual(["approve", "cancel", "run", "unapprove"]);
    expect(registry.find("replan")?.flags.find((flag) => flag.name === "force")?.role).toBe("admin");
  });
});

describe("answering the planner (plain messages)", () => {
  it.each([
    { userId: ADMIN, refused: false },
    { userId: MEMBER, refused: false },
    { userId: GUEST, refused: true },
  ])("discord:$userId refused=$refused", async ({ userId, refused }) => {
    const { bot } = await makeBot();
    const replies = await bot.handleAnswer(incoming(userId, "let's use SQLite"));
    if (!refused) {
      expect(replies).toEqual([]);
      return;
    }
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toBe(
      `answering the planner needs the member role; you are not on the member or admin list. An admin can add \`discord:${userId}\` to PLANBOT_MEMBERS.`,
    );
  });
});

describe("what a guest sees", () => {
  it("/whoami prints the id to add to the config", async () => {
    const { bot } = await makeBot();
    const [reply] = await bot.handleCommand(incoming(GUEST, "/whoami"));
    expect(reply?.text).toBe(
      `You are user-${GUEST}, \`discord:${GUEST}\`, role: **guest**.\nTo give access, add \`discord:${GUEST}\` to PLANBOT_MEMBERS (or PLANBOT_ADMINS) and restart planbot.`,
    );
  });

  it("/help lists only /help and /whoami, and says more exist", async () => {
    const { bot } = await makeBot();
    const [reply] = await bot.handleCommand(incoming(GUEST, "/help"));
    const listed = (reply?.text ?? "").split("\n").filter((line) => line.startsWith("- "));
    expect(listed).toEqual([
      "- `/whoami` — show your id and role",
      "- `/help [command]` (also /start) — list the commands",
    ]);
    expect(reply?.text).toContain(
      "14 more commands need a role you do not have; /whoami shows your id for the config.",
    );
  });

  it("parse errors are shown to anyone (they reveal nothing), refusals come after parsing", async () => {
    const { bot } = await makeBot();
    expect((await bot.handleCommand(incoming(GUEST, "/approve")))[0]?.text).toContain("Usage: /approve <slug>");
    expect((await bot.handleCommand(incoming(GUEST, "/approve seeded")))[0]?.text).toContain(
      "/approve needs the admin role",
    );
  });
});

describe("trusted adapters and identities", () => {
  it("console and dashboard users are admins whatever their id; other adapters need the lists", () => {
    const roles = createRoles({ admins: ["discord:1"], members: ["telegram:2"] });
    expect(roles.roleOf("console", "anyone")).toBe("admin");
    expect(roles.roleOf("dashboard", "")).toBe("admin");
    expect(roles.roleOf("discord", "1")).toBe("admin");
    expect(roles.roleOf("telegram", "1")).toBe("guest");
    expect(roles.roleOf("telegram", "2")).toBe("member");
    expect(roles.roleOf("discord", "2")).toBe("guest");
    expect(roles.roleOf("discord", "")).toBe("guest");
  });

  it.each(["console", "dashboard"])("a %s user runs admin commands", async (adapter) => {
    const { bot, core } = await makeBot();
    const [who] = await bot.handleCommand(incoming("someone", "/whoami", adapter));
    expect(who?.text).toContain(`\`${adapter}:someone\`, role: **admin**`);
    const [approved] = await bot.handleCommand(incoming("someone", "/approve seeded", adapter));
    expect(approved?.text).toMatch(/^Approved \*\*seeded\*\*/);
    expect(await statusOf(core, "seeded")).toBe("approved");
    const [forced] = await bot.handleCommand(incoming("someone", "/replan seeded --force", adapter));
    expect(forced?.text).not.toMatch(REFUSAL);
  });

  it("the runtime reads the lists from the configuration", async () => {
    const config = await makeConfig();
    const planner: PlannerBackend = { run: async () => fail("planner_failed", "not in this test") };
    const runtime = createRuntime(config, silentLogger, { planner });
    runtimes.push(runtime);
    await runtime.core.lifecycle.propose({ slug: "seeded", description: "desc" });
    const refused = await runtime.bot.handleCommand(incoming(MEMBER, "/approve seeded"));
    expect(refused[0]?.text).toContain("/approve needs the admin role; you are a member");
    const approved = await runtime.bot.handleCommand(incoming(ADMIN, "/approve seeded"));
    expect(approved[0]?.text).toMatch(/^Approved/);
    const guest = await runtime.bot.handleCommand(incoming(GUEST, "/status", "telegram"));
    expect(guest[0]?.text).toContain("An admin can add `telegram:999` to PLANBOT_MEMBERS.");
    const telegramAdmin = await runtime.bot.handleCommand(incoming(TELEGRAM_ADMIN, "/unapprove seeded", "telegram"));
    expect(telegramAdmin[0]?.text).toContain("is pending again");
  });
});
