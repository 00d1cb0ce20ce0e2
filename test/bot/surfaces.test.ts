// What the one registry produces: /help per role, Discord slash definitions, the Telegram menu, and
// command lines rebuilt from slash-command options that must read back through the parser unchanged.
import { describe, expect, it } from "vitest";
import { createCommandRegistry, usageLine, type CommandSpec } from "../../src/bot/command-registry.ts";
import { commandLineFromOptions, discordSlashDefinitions } from "../../src/adapters/discord/slash-definitions.ts";
import { telegramMenu } from "../../src/adapters/telegram/command-menu.ts";
import { helpText } from "../../src/bot/help-text.ts";
import { createDefaultRegistry } from "../../src/bot/commands/index.ts";
import { parseCommandLine } from "../../src/bot/parse-command.ts";
import type { Role } from "../../src/bot/roles.ts";
import { ALL_COMMANDS } from "../helpers/command-names.ts";
import { mulberry32 } from "../helpers/seeded-random.ts";

const registry = createDefaultRegistry();

function listed(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("- `/"))
    .map((line) => /^- `\/([a-z]+)/.exec(line)![1]!);
}

describe("helpText per role", () => {
  it.each<{ role: Role; commands: string[]; hidden: number }>([
    { role: "admin", commands: ALL_COMMANDS, hidden: 0 },
    {
      role: "member",
      commands: [
        "p",
        "edit",
        "plan",
        "replan",
        "status",
        "next",
        "done",
        "stop",
        "continue",
        "deliver",
        "whoami",
        "help",
      ],
      hidden: 4,
    },
    { role: "guest", commands: ["whoami", "help"], hidden: 14 },
  ])("$role sees $commands.length commands", ({ role, commands, hidden }) => {
    const text = helpText(registry, role);
    expect(text.startsWith("**planbot commands**\n")).toBe(true);
    expect(listed(text)).toEqual(commands);
    for (const name of commands) expect(text).toContain(`\`${usageLine(registry.find(name)!)}\``);
    expect(text).toContain("Quotes group words, --flag value and --flag=value both work, -- ends options.");
    if (hidden === 0) expect(text).not.toContain("more commands need a role");
    else
      expect(text).toContain(
        `${hidden} more commands need a role you do not have; /whoami shows your id for the config.`,
      );
  });

  it("names aliases next to their command", () => {
    const text = helpText(registry, "admin");
    expect(text).toContain(
      "- `/p <slug> <description…> [--repo R] [--branch B] [--base M]` (also /propose) — propose a new project",
    );
    expect(text).toContain("- `/help [command]` (also /start) — list the commands");
  });
});

describe("Discord slash-command definitions", () => {
  const definitions = discordSlashDefinitions(registry);
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const NAME = /^[-_a-z0-9]{1,32}$/;

  it("one definition per command (aliases only named in the description), all valid for Discord", () => {
    expect(definitions.map((definition) => definition.name)).toEqual(ALL_COMMANDS);
    expect(byName.get("p")!.description).toBe("propose a new project (also typed as /propose)");
    expect(byName.get("help")!.description).toBe("list the commands (also typed as /start)");
    for (const definition of definitions) {
      expect(definition.name).toMatch(NAME);
      expect(definition.type).toBe(1);
      expect(definition.description.length).toBeGreaterThanOrEqual(1);
      expect(definition.description.length).toBeLessThanOrEqual(100);
      expect(definition.options.length).toBeLessThanOrEqual(25);
      expect(new Set(definition.options.map((option) => option.name)).size).toBe(definition.options.length);
      const firstOptional = definition.options.findIndex((option) => !option.required);
      if (firstOptional !== -1)
        expect(definition.options.slice(firstOptional).every((option) => !option.required)).toBe(true);
      for (const option of definition.options) {
        expect(option.name).toMatch(NAME);
        expect(option.description.length).toBeGreaterThanOrEqual(1);
        expect(option.description.length).toBeLessThanOrEqual(100);
        expect([3, 5]).toContain(option.type);
        // Existing projects autocomplete; /p names a new one, so its slug does not.
        const proposes = definition.name === "p";
        if (option.name === "slug" && !proposes) expect(option.autocomplete).toBe(true);
        else expect(option.autocomplete).toBeUndefined();
      }
    }
  });

  it("/p: required slug and description, optional repo, branch and base", () => {
    const options = byName
      .get("p")!
      .options.map(({ type, name: option, required }) => ({ type, name: option, required }));
    expect(options).toEqual([
      { type: 3, name: "slug", required: true },
      { type: 3, name: "description", required: true },
      { type: 3, name: "repo", required: false },
      { type: 3, name: "branch", required: false },
      { type: 3, name: "base", required: false },
    ]);
  });

  it("/replan has a boolean force; /status an optional slug; /plan an optional description", () => {
    expect(byName.get("replan")!.options).toEqual([
      expect.objectContaining({ type: 3, name: "slug", required: true, autocomplete: true }),
      expect.objectContaining({ type: 5, name: "force", required: false }),
    ]);
    expect(byName.get("status")!.options).toEqual([
      expect.objectContaining({ name: "slug", required: false, autocomplete: true }),
    ]);
    expect(byName.get("plan")!.options.map((option) => [option.name, option.required])).toEqual([
      ["slug", true],
      ["description", false],
    ]);
    for (const name of ["next", "done", "stop", "whoami"]) expect(byName.get(name)!.options).toEqual([]);
    expect(byName.get("help")!.options.map((option) => [option.name, option.required])).toEqual([["command", false]]);
  });

  it("puts required options first even when declared after optional ones, and clips long texts", () => {
    const odd: CommandSpec = {
      name: "odd",
      summary: "s".repeat(150),
      role: "anyone",
      args: [
        { name: "first", description: "optional", required: false },
        { name: "second", description: "d".repeat(120), required: true },
      ],
      flags: [{ name: "flag", type: "string", description: "a flag" }],
      handler: async () => ({ text: "" }),
    };
    const [definition] = discordSlashDefinitions(createCommandRegistry([odd]));
    expect(definition!.options.map((option) => option.name)).toEqual(["second", "first", "flag"]);
    expect(definition!.description).toHaveLength(100);
    expect(definition!.description.endsWith("…")).toBe(true);
    expect(definition!.options[0]!.description).toHaveLength(100);
  });
});

describe("Telegram command menu", () => {
  it("primary names only, valid for setMyCommands", () => {
    const menu = telegramMenu(registry);
    expect(menu.map((entry) => entry.command)).toEqual(ALL_COMMANDS);
    for (const entry of menu) {
      expect(entry.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(entry.description.length).toBeGreaterThanOrEqual(1);
      expect(entry.description.length).toBeLessThanOrEqual(256);
      expect(entry.description).toBe(registry.find(entry.command)!.summary);
    }
  });
});

// ─── commandLineFromOptions ↔ parser ─────────────────────────────────────

const PIECES = [
  "a",
  "todo",
  "app",
  " ",
  "  ",
  "\t",
  "\n",
  '"',
  "'",
  "\\",
  "\\\\",
  '\\"',
  "\\'",
  "-",
  "--",
  "--repo",
  "--force",
  "-x",
  "=",
  "$",
  "$(",
  ")",
  "`",
  ";",
  "&&",
  "|",
  "😀",
  "é",
  "日本",
  "עברית",
  "\u202e",
  "@everyone",
  "/p",
  "--",
  "C:\\path",
  "Bob's",
  "it's",
  "don't",
  "'quoted'",
  '"dq"',
  "#",
  "*",
  "_",
];

function randomValue(random: () => number): string {
  const length = 1 + Math.floor(random() * 8);
  let value = "";
  for (let index = 0; index < length; index += 1) value += PIECES[Math.floor(random() * PIECES.length)]!;
  return value;
}

/** What a parse of the rebuilt line must give back: every provided option, as given. */
function roundTrip(command: CommandSpec, options: Record<string, string | boolean>) {
  const line = commandLineFromOptions(command, options);
  const outcome = parseCommandLine(line, registry, { botUsername: "planbot_bot" });
  return { line, outcome };
}

const ROUND_TRIPS: { name: string; options: Record<string, string | boolean> }[] = [
  { name: "p", options: { slug: "my-app", description: "A todo app", repo: "todo", branch: "feat/x", base: "main" } },
  { name: "p", options: { slug: "my-app", description: 'say "hi" -- --repo x', repo: "-r", branch: "a b" } },
  { name: "p", options: { slug: "--looks-like-a-flag", description: "--also" } },
  { name: "p", options: { slug: "x", description: "  spaced  out  ", base: "$(rm -rf /)" } },
  { name: "p", options: { slug: "x", description: "multi\nline\ttabbed" } },
  { name: "replan", options: { slug: "my-app", force: true } },
  { name: "replan", options: { slug: "my-app", force: false } },
  { name: "status", options: {} },
  { name: "status", options: { slug: "my-app" } },
  { name: "plan", options: { slug: "x", description: "a `ticked` ; rm -rf / thing" } },
  // Apostrophes and backslashes (bug: the tokenizer's pre-pass mangles them inside double quotes).
  { name: "p", options: { slug: "bobs", description: "Bob's app" } },
  { name: "p", options: { slug: "win", description: "C:\\path\\to\\file" } },
  { name: "p", options: { slug: "x", description: "it's \"quoted\" \\ 'single'" } },
];

describe("commandLineFromOptions round-trips through the parser", () => {
  it.each(ROUND_TRIPS.map((row) => ({ ...row, label: `/${row.name} ${JSON.stringify(row.options)}` })))(
    "$label",
    ({ name, options }) => {
      const command = registry.find(name)!;
      const { line, outcome } = roundTrip(command, options);
      expect(outcome.kind, line).toBe("command");
      if (outcome.kind !== "command") return;
      expect(outcome.command.name).toBe(command.name);
      const expectedArgs = Object.fromEntries(
        command.args.filter((arg) => options[arg.name] !== undefined).map((arg) => [arg.name, options[arg.name]]),
      );
      const expectedFlags = Object.fromEntries(
        command.flags.filter((flag) => options[flag.name] !== undefined).map((flag) => [flag.name, options[flag.name]]),
      );
      expect({ args: outcome.args, flags: outcome.flags }, line).toEqual({ args: expectedArgs, flags: expectedFlags });
    },
  );

  it("2,000 random option sets with quotes, spaces, backslashes and leading dashes", () => {
    const random = mulberry32(2024);
    const failures: string[] = [];
    for (let round = 0; round < 2000; round += 1) {
      const command = registry.commands[Math.floor(random() * registry.commands.length)]!;
      const options: Record<string, string | boolean> = {};
      let stop = false;
      for (const arg of command.args) {
        // Options are positional after `--`; an omitted optional argument ends them.
        if (stop || (!arg.required && random() < 0.3)) {
          stop = true;
          continue;
        }
        options[arg.name] = randomValue(random);
      }
      for (const flag of command.flags) {
        if (random() < 0.5) continue;
        options[flag.name] = flag.type === "boolean" ? random() < 0.5 : randomValue(random);
      }
      const { line, outcome } = roundTrip(command, options);
      const got = outcome.kind === "command" ? { ...outcome.args, ...outcome.flags } : outcome;
      if (
        JSON.stringify(got) !==
        JSON.stringify(
          Object.fromEntries(Object.entries(options).sort(([a], [b]) => order(command, a) - order(command, b))),
        )
      ) {
        failures.push(`${JSON.stringify(options)} → ${JSON.stringify(line)} → ${JSON.stringify(got)}`);
      }
    }
    expect(failures.slice(0, 5).join("\n")).toBe("");
  });
});

/** Args first in declaration order, then flags: the order the parser's result objects list them in. */
function order(command: CommandSpec, name: string): number {
  const arg = command.args.findIndex((candidate) => candidate.name === name);
  return arg !== -1 ? arg : 100 + command.flags.findIndex((candidate) => candidate.name === name);
}
