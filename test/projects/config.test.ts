import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config.ts";
import { main } from "../../src/main.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

/** loadConfig with only `env` (never the caller's environment) in a fresh folder without a .env file. */
async function load(env: Record<string, string>, cwd?: string) {
  return loadConfig(env, cwd ?? (await temp.make("config-")));
}

describe("loadConfig", () => {
  it("defaults: ./data, its workspace, loopback dashboard on 8088, claude with 900 s, info logs", async () => {
    const cwd = await temp.make("config-defaults-");
    const result = loadConfig({}, cwd);
    expect(result).toEqual({
      ok: true,
      config: {
        dataDir: join(cwd, "data"),
        workspaceDir: join(cwd, "data", "workspace"),
        admins: [],
        members: [],
        discord: {},
        telegram: {},
        dashboard: { host: "127.0.0.1", port: 8088, origins: [] },
        planner: { command: "claude", timeoutSeconds: 900, maxParallel: 4 },
        progress: { editIntervalSeconds: 5, maxMinutes: 480, stallMinutes: 30 },
        execute: {
          ralphCommand: "scripts/ralph/ralph.sh --tool claude 10",
          parallel: 1,
          delivery: { pushOn: "complete", github: {} },
        },
        logLevel: "info",
      },
    });
  });

  it("resolves relative folders against the working directory, keeps absolute ones, trims and reads lists", async () => {
    const cwd = await temp.make("config-paths-");
    const result = loadConfig(
      {
        PLANBOT_DATA_DIR: " state ",
        PLANBOT_WORKSPACE_DIR: "/srv/work",
        PLANBOT_ADMINS: "discord:123, telegram:456 ,",
        PLANBOT_MEMBERS: "",
        DASHBOARD_PORT: " 9090 ",
        TELEGRAM_API_ROOT: "http://127.0.0.1:9001///",
        DISCORD_GUILD_ID: "",
      },
      cwd,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      dataDir: join(cwd, "state"),
      workspaceDir: "/srv/work",
      admins: ["discord:123", "telegram:456"],
      members: [],
      dashboard: { port: 9090 },
      telegram: { apiRoot: "http://127.0.0.1:9001" },
    });
    expect(result.config.discord).toEqual({});
    const relative = loadConfig({ PLANBOT_WORKSPACE_DIR: "ws" }, cwd);
    expect(relative.ok && relative.config.workspaceDir).toBe(join(cwd, "ws"));
  });

  it("reads a .env file in the working directory; the environment wins over it", async () => {
    const cwd = await temp.make("config-dotenv-");
    await writeFile(
      join(cwd, ".env"),
      "PLANBOT_DATA_DIR=from-file\nDASHBOARD_PORT=7000\n# a comment\nLOG_LEVEL=debug\n",
    );
    const result = loadConfig({ DASHBOARD_PORT: "7001" }, cwd);
    expect(result.ok && [result.config.dataDir, result.config.dashboard.port, result.config.logLevel]).toEqual([
      join(cwd, "from-file"),
      7001,
      "debug",
    ]);
    const bad = await temp.make("config-dotenv-bad-");
    await writeFile(join(bad, ".env"), "DASHBOARD_PORT=abc\n");
    expect(loadConfig({}, bad)).toMatchObject({
      ok: false,
      code: "usage",
      message: expect.stringMatching(/^Invalid DASHBOARD_PORT \(got "abc"\)/),
    });
  });

  it("an unreadable .env (a folder) is reported, not ignored", async () => {
    const cwd = await temp.make("config-dotenv-dir-");
    await mkdir(join(cwd, ".env"));
    const result = loadConfig({}, cwd);
    expect(result).toMatchObject({ ok: false, code: "usage" });
    expect(!result.ok && result.message).toContain(join(cwd, ".env"));
  });

  it.each([
    ["DASHBOARD_PORT", "abc"],
    ["DASHBOARD_PORT", "70000"],
    ["DASHBOARD_PORT", "80.5"],
    ["PLANNER_TIMEOUT_S", "0"],
    ["PLANNER_MAX_PARALLEL", "many"],
    ["EXECUTE_PARALLEL", "-1"],
    ["EXECUTE_AT", "25:00"],
    ["EXECUTE_AT", "2:30"],
    ["LOG_LEVEL", "loud"],
    ["DISCORD_GUILD_ID", "my-guild"],
    ["DISCORD_NOTIFY_CHANNEL_ID", "#general"],
    ["DISCORD_API_URL", "not a url"],
    ["TELEGRAM_NOTIFY_CHAT_ID", "@channel"],
    ["TELEGRAM_NOTIFY_THREAD_ID", "-3"],
    ["TELEGRAM_API_ROOT", "http://"],
    ["PLANBOT_ADMINS", "discord:1,bob"],
    ["PLANBOT_MEMBERS", "Discord:1"],
  ])("%s=%j is one failure naming the variable and its value", async (name, value) => {
    const result = await load({ [name]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("usage");
    expect(result.message.startsWith(`Invalid ${name} (got "${value}"): `)).toBe(true);
    expect(result.message).not.toContain("\n");
    expect(Object.keys(result.fields ?? {})).toEqual([name]);
  });

  it("never echoes a token's value", async () => {
    const cwd = await temp.make("config-token-");
    // DASHBOARD_TOKEN has no rule of its own; a bad port next to it must not print it either.
    const result = loadConfig({ DASHBOARD_TOKEN: "s3cret-token", DASHBOARD_PORT: "x" }, cwd);
    expect(!result.ok && result.message).not.toContain("s3cret");
  });

  it("a variable set empty is the same as unset: every default holds", async () => {
    const cwd = await temp.make("config-empty-");
    const empty = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, ""]));
    expect(loadConfig(empty, cwd)).toEqual(loadConfig({}, cwd));
    expect(loadConfig({ ...empty, PLANBOT_ADMINS: " , " }, cwd)).toEqual(loadConfig({}, cwd));
  });

  it("builds the rule of a variable only when it is set (a one-shot command's start-up reads a few)", async () => {
    const cwd = await temp.make("config-lazy-");
    // Fresh copies of the modules: the other tests here have built rules in the shared ones.
    vi.resetModules();
    const config = await import("../../src/config.ts");
    const rules = await import("../../src/config/setting-rules.ts");
    expect(rules.builtSettingRules()).toEqual([]);
    expect(config.loadConfig({ PLANBOT_DATA_DIR: "state", GIT_REMOTE_BASE: "git@example.com:me" }, cwd).ok).toBe(true);
    expect(rules.builtSettingRules()).toEqual(["PLANBOT_DATA_DIR", "GIT_REMOTE_BASE"]);
    // A bad value is still caught by its rule, built then.
    expect(config.loadConfig({ DASHBOARD_PORT: "abc" }, cwd).ok).toBe(false);
    expect(rules.builtSettingRules()).toEqual(["PLANBOT_DATA_DIR", "GIT_REMOTE_BASE", "DASHBOARD_PORT"]);
  });

  it("accepts the edge values", async () => {
    const result = await load({
      DASHBOARD_PORT: "0",
      EXECUTE_AT: "23:59",
      LOG_LEVEL: "silent",
      TELEGRAM_NOTIFY_CHAT_ID: "-100123",
      PLANNER_TIMEOUT_S: "1",
    });
    expect(
      result.ok && [
        result.config.dashboard.port,
        result.config.execute.at,
        result.config.logLevel,
        result.config.telegram.notifyChatId,
        result.config.planner.timeoutSeconds,
      ],
    ).toEqual([0, "23:59", "silent", "-100123", 1]);
  });
});

describe("main(): an invalid environment stops before any command", () => {
  it("prints one line naming the variable and returns 2", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const cwd = process.cwd();
    const code = await main(
      ["projects", "list"],
      { out: (text) => out.push(text), err: (text) => err.push(text) },
      { DASHBOARD_PORT: "abc", PLANBOT_DATA_DIR: await temp.make("config-main-") },
    );
    expect(process.cwd()).toBe(cwd);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^planbot: Invalid DASHBOARD_PORT \(got "abc"\): [^\n]+$/);
  });
});
