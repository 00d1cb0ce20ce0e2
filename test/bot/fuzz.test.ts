// Fuzz: 10,000+ seeded random and adversarial lines through bot.handleCommand over a real runtime
// (store on disk, roles from PLANBOT_ADMINS / PLANBOT_MEMBERS, adapter "discord", a planner stub).
import childProcess from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDefaultRegistry } from "../../src/bot/commands/index.ts";
import type { Incoming } from "../../src/chat/incoming.ts";
import { looksLikeCommand, parseCommandLine } from "../../src/bot/parse-command.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import { SLUG_PATTERN, validateDescription } from "../../src/projects/validation.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { mulberry32 } from "../helpers/seeded-random.ts";

const LINES = 10_000;
const SEED = 0x5eed_2026;
const BOT_NAME = "planbot_bot";
const USERS = ["1", "2", "3"]; // admin, member, guest
const CHANNELS = ["c1", "c2", "c3"];

/** Seeded line generator: commands with good and bad arguments, hostile text, odd unicode, huge lines. */
function lineGenerator(seed: number, canary: string) {
  const random = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (p: number) => random() < p;

  const registry = createDefaultRegistry();
  const NAMES = registry.commands.flatMap((command) => [command.name, ...(command.aliases ?? [])]);
  const HEADS = [...NAMES, ...NAMES, "nope", "P", "HELP", "Status", "p-", "x".repeat(32), "x".repeat(33), "_", "-"];
  const MENTIONS = ["", "", "", "", `@${BOT_NAME}`, "@PLANBOT_BOT", "@otherbot", "@", "@x".repeat(40)];
  const GOOD_SLUGS = ["app-1", "app-2", "app-3", "my-app", "x", "a".repeat(63), "App-1", "0day"];
  const BAD_SLUGS = [
    "Bad_Slug",
    "-x",
    "a".repeat(64),
    "😀",
    "../etc",
    '"x y"',
    "''",
    "--repo",
    "$(id)",
    "app;rm",
    "ąpp",
    "app\u0000",
    "app\u202e",
  ];
  const HOSTILE = [
    `$(touch ${canary})`,
    `; touch ${canary}`,
    `\`touch ${canary}\``,
    `&& touch ${canary}`,
    `| sh -c 'touch ${canary}'`,
    `; rm -rf /`,
    "$(rm -rf ~)",
    "> /etc/passwd",
    "${IFS}",
    "$'\\x41\\c@'",
    '$"locale"',
    "%s%n%x",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "@everyone",
    "\\",
    "\\\\",
    "'",
    '"',
    "`",
    "```",
  ];
  const FLAGS = [
    "--repo",
    "--repo=--x",
    "--repo=todo",
    "--branch",
    "--branch=feat/x",
    "--branch=-evil",
    "--base=main",
    "--base",
    "--force",
    "--force=false",
    "--force=maybe",
    "--nope",
    "--",
    "-x",
    "---",
    "--=",
    "--REPO=r",
  ];
  const UNICODE = [
    "😀",
    "👩‍💻",
    "🏳️‍🌈",
    "\ud800",
    "\udc00",
    "\udbff\udfff",
    "\u202e",
    "\u200b",
    "\ufeff",
    "مرحبا",
    "שלום",
    "日本語",
    "e\u0301",
    "\u00a0",
    "\u2028",
    "\u3000",
    "𝔘𝔫𝔦",
  ];
  const CONTROL = Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).concat("\u007f", "\u0000\u0000");
  const PLAIN = [
    "a",
    "todo",
    "app",
    "with",
    "reminders",
    "Bob's",
    "don't",
    "it's",
    '"quoted words"',
    "'single words'",
    "C:\\path",
    "x=y",
    "#",
    "**bold**",
  ];

  function word(): string {
    const roll = random();
    if (roll < 0.15) return pick(HOSTILE);
    if (roll < 0.3) return pick(FLAGS);
    if (roll < 0.45) return pick(UNICODE);
    if (roll < 0.52) return pick(CONTROL);
    if (roll < 0.6) return pick(BAD_SLUGS);
    if (roll < 0.65) return pick(GOOD_SLUGS);
    return pick(PLAIN);
  }
  function words(min: number, max: number): string {
    return Array.from({ length: int(min, max) }, word).join(pick([" ", " ", " ", "  ", "\t", ""]));
  }
  function command(): string {
    const head = `/${pick(HEADS)}${pick(MENTIONS)}`;
    // Mostly bad slugs: every line that reaches the store costs a locked, fsync'd write.
    const slug = chance(0.2) ? pick(GOOD_SLUGS) : pick(BAD_SLUGS);
    const roll = random();
    if (roll < 0.35) return `${head} ${slug}`;
    if (roll < 0.7) return `${head} ${slug} ${words(0, 12)}`;
    if (roll < 0.85) return `${head} ${words(0, 20)}`;
    return `${head}`;
  }

  let made = 0;
  return function next(): string {
    made += 1;
    // Every 500th line is a 100 KB monster of one kind or another.
    if (made % 500 === 0) {
      const unit = pick(["word ", "😀", '"', "--repo x ", "\u0000", "a", "\\", "'", "$(", " "]);
      return `${chance(0.7) ? `/${pick(["p", "plan", "status", "nope"])} ${pick(GOOD_SLUGS)} ` : ""}${unit.repeat(Math.ceil(100_000 / unit.length))}`;
    }
    const roll = random();
    if (roll < 0.55) return command();
    if (roll < 0.6)
      return `/p ${pick(GOOD_SLUGS)} ${Array.from({ length: int(50, 400) }, () => pick(FLAGS) + " v").join(" ")}`; // very many flags
    if (roll < 0.63) return " ".repeat(int(0, 50));
    if (roll < 0.65) return pick(["--", "/", "/ ", "//p x", "/@planbot_bot", "/-", "\u0000/p x y", " /p x y"]);
    if (roll < 0.66) return `/p ${pick(GOOD_SLUGS)} ${pick(HOSTILE)} ${words(0, 6)}`;
    if (roll < 0.8) return `${pick(HEADS)} ${words(1, 8)}`; // no slash: plain chat
    if (roll < 0.9) return words(1, 15);
    return `/${pick(HEADS)}${pick(UNICODE)}${pick(CONTROL)} ${words(0, 5)}`;
  };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const TONES = new Set([undefined, "info", "success", "error", "planner"]);
const STYLES = new Set([undefined, "primary", "secondary", "success", "danger"]);

function replyProblem(reply: unknown): string | undefined {
  if (typeof reply !== "object" || reply === null) return "not an object";
  const { text, tone, actions, ephemeral } = reply as Reply;
  if (typeof text !== "string" || text.trim() === "") return "text is not a non-empty string";
  if (!TONES.has(tone)) return `tone ${String(tone)}`;
  if (ephemeral !== undefined && typeof ephemeral !== "boolean") return "ephemeral is not a boolean";
  if (actions !== undefined) {
    if (!Array.isArray(actions)) return "actions is not an array";
    for (const action of actions) {
      if (typeof action.label !== "string" || !action.label) return "action without label";
      if (typeof action.command !== "string" || !action.command.startsWith("/"))
        return `action command ${String(action.command)}`;
      if (!STYLES.has(action.style)) return `action style ${String(action.style)}`;
    }
  }
  return undefined;
}

/** Makes every way to start a process fail loudly and counts the attempts (restored afterwards). */
function trapChildProcesses() {
  const calls: string[] = [];
  const names = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;
  const target = childProcess as unknown as Record<string, unknown>;
  const originals = new Map(names.map((name) => [name, target[name]]));
  for (const name of names) {
    target[name] = (...args: unknown[]) => {
      calls.push(`${name} ${JSON.stringify(args[0])}`);
      throw new Error(`fuzz: ${name} called`);
    };
  }
  syncBuiltinESMExports();
  return {
    calls,
    restore() {
      for (const [name, original] of originals) target[name] = original;
      syncBuiltinESMExports();
    },
  };
}

let runtime: Runtime;
let dataDir: string;
let trap: ReturnType<typeof trapChildProcesses>;
const plannerCalls: string[] = [];

beforeAll(async () => {
  // Thousands of fsync'd store writes: on Linux use the RAM-backed /dev/shm so the run stays fast.
  dataDir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "planbot-fuzz-"));
  const loaded = loadConfig(
    { PLANBOT_DATA_DIR: dataDir, PLANBOT_ADMINS: "discord:1", PLANBOT_MEMBERS: "discord:2" },
    dataDir,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const planner: PlannerBackend = {
    async run(turn) {
      plannerCalls.push(turn.message.slice(0, 40));
      return { ok: true, text: "What should it do first?", sessionId: turn.sessionId, costUsd: 0, durationMs: 1 };
    },
  };
  runtime = createRuntime(loaded.config, silentLogger, { planner, botUsername: BOT_NAME });
  trap = trapChildProcesses();
});

afterAll(async () => {
  trap?.restore();
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

describe(`fuzz: ${LINES} random and adversarial lines through bot.handleCommand`, () => {
  // The time goes to the few hundred lines that reach the store (each a locked, fsync'd write); the
  // generous timeout is for loaded machines.
  it("no throw escapes, every outcome is an array of well-formed replies, no invalid project, nothing shells out", {
    timeout: 120_000,
  }, async () => {
    const canary = join(dataDir, "CANARY");
    const next = lineGenerator(SEED, canary);
    const registry = runtime.bot.registry;
    const thrown: string[] = [];
    const malformed: string[] = [];
    const silentCommands: string[] = [];
    const answeredChat: string[] = [];
    const internalErrors: string[] = [];
    let replies = 0;
    let longLines = 0;
    const kinds = new Map<string, number>();

    for (let index = 0; index < LINES; index += 1) {
      const text = next();
      if (text.length >= 100_000) longLines += 1;
      const userId = USERS[index % USERS.length]!;
      const incoming: Incoming = {
        adapter: "discord",
        channelId: CHANNELS[index % CHANNELS.length]!,
        userId,
        userName: `user${userId}`,
        text,
      };
      // (100 KB lines carry no mention: looksLikeCommand decides for them, without a second slow parse.)
      const expected =
        text.length > 10_000
          ? looksLikeCommand(text)
            ? "command"
            : "not_command"
          : parseCommandLine(text, registry, { botUsername: BOT_NAME }).kind;
      kinds.set(expected, (kinds.get(expected) ?? 0) + 1);
      let outcome: unknown;
      try {
        outcome = await runtime.bot.handleCommand(incoming);
      } catch (error) {
        thrown.push(`${JSON.stringify(text.slice(0, 80))}: ${(error as Error).message}`);
        continue;
      }
      if (!Array.isArray(outcome)) {
        malformed.push(`${JSON.stringify(text.slice(0, 80))}: not an array`);
        continue;
      }
      replies += outcome.length;
      for (const reply of outcome) {
        const problem = replyProblem(reply);
        if (problem) malformed.push(`${JSON.stringify(text.slice(0, 80))}: ${problem}`);
        if ((reply as Reply).text?.includes("Something went wrong on planbot's side"))
          internalErrors.push(JSON.stringify(text.slice(0, 80)));
      }
      const isCommand = expected === "command" || expected === "error";
      if (isCommand && outcome.length === 0) silentCommands.push(JSON.stringify(text.slice(0, 80)));
      if (!isCommand && outcome.length > 0) answeredChat.push(JSON.stringify(text.slice(0, 80)));
    }

    expect(thrown.slice(0, 5)).toEqual([]);
    expect(malformed.slice(0, 5)).toEqual([]);
    expect(internalErrors.slice(0, 5)).toEqual([]);
    expect(silentCommands.slice(0, 5)).toEqual([]);
    expect(answeredChat.slice(0, 5)).toEqual([]);

    // The generator covered what it should.
    expect(longLines).toBeGreaterThanOrEqual(LINES / 500);
    expect(kinds.get("command")).toBeGreaterThan(1000);
    expect(kinds.get("error")).toBeGreaterThan(1000);
    expect(kinds.get("not_command")).toBeGreaterThan(1000);
    expect(kinds.get("other_bot")).toBeGreaterThan(50);
    expect(replies).toBeGreaterThan(LINES * 0.4);

    // Only valid projects exist, each once; and the handlers really did change the store.
    const read = await runtime.core.store.read();
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.file.version).toBeGreaterThan(20);
    const projects = read.file.projects ?? [];
    expect(projects.length).toBeGreaterThan(0);
    for (const entry of projects) {
      expect(entry.name).toMatch(SLUG_PATTERN);
      expect(validateDescription(entry.description ?? "")).toBeUndefined();
    }
    expect(new Set(projects.map((entry) => entry.name)).size).toBe(projects.length);

    // Nothing started a process, and no hostile line ran anything.
    expect(trap.calls).toEqual([]);
    expect(existsSync(canary)).toBe(false);
  });

  it("replies to well-formed text never contain a lone surrogate", async () => {
    // Messages that quote user input clip it (to 40 or 60 UTF-16 units); the clip must not cut an emoji.
    const random = mulberry32(SEED + 1);
    const problems: string[] = [];
    for (let index = 0; index < 600; index += 1) {
      const pad = "x".repeat(Math.floor(random() * 70));
      const emoji = "😀".repeat(1 + Math.floor(random() * 3));
      const text = [
        `/status my-app ${pad}${emoji} extra`,
        `/p ${pad}${emoji} some description`,
        `/approve ${pad}${emoji}`,
        `/p ok-slug desc --repo ${pad}${emoji}`,
      ][index % 4]!;
      const replies = await runtime.bot.handleCommand({
        adapter: "discord",
        channelId: "c9",
        userId: "1",
        userName: "admin",
        text,
      });
      for (const reply of replies)
        if (LONE_SURROGATE.test(reply.text))
          problems.push(`${JSON.stringify(text)} → ${JSON.stringify(reply.text.slice(0, 120))}`);
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });
});
