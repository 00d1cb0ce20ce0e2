// `bin/planbot chat` and `bin/planbot start` as real child processes.
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import type { TasksFile } from "../../src/projects/schemas.ts";
import { loadConfig } from "../../src/config.ts";
import { ADAPTERS } from "../../src/runtime/adapter-catalog.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const planbot = join(repoRoot, "bin", "planbot");
const temp = createTempDirs();
afterEach(() => temp.cleanup());

/** An environment with nothing configured but the data folder (and no planner that could run). */
function bareEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PLANBOT_DATA_DIR: dir,
    PLANBOT_ADMINS: "",
    PLANBOT_MEMBERS: "",
    DISCORD_TOKEN: "",
    TELEGRAM_TOKEN: "",
    DASHBOARD_TOKEN: "",
    // The dashboard is always on: an ephemeral loopback port keeps parallel runs apart.
    DASHBOARD_HOST: "127.0.0.1",
    DASHBOARD_PORT: "0",
    PLANNER_COMMAND: join(dir, "no-such-planner"),
    LOG_LEVEL: "info",
  };
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "you";
  }
}

describe("planbot chat (piped stdin)", () => {
  it("answers each line on stdout and writes the store", async () => {
    const dir = await temp.make("chat-cli-");
    const input = [
      `/p my-app "A todo app" --repo todo --branch feat/x`,
      "/status",
      "/status my-app",
      "/approve my-app",
      "/whoami",
      "/p x",
      "/nope",
      "hello",
      "",
    ].join("\n");
    const run = await execa(planbot, ["chat"], { input, cwd: dir, env: bareEnv(dir), reject: false, timeout: 60_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const user = currentUser();
    const expected = [
      "Proposed my-app: A todo app",
      "repo todo · branch feat/x",
      "Next: /plan my-app to plan it with Claude, or approve it as is.",
      "  [Plan] /plan my-app",
      "  [Approve] /approve my-app",
      "Projects (1)",
      "my-app — pending — not planned yet",
      "my-app — pending — not planned yet",
      "A todo app",
      "repo todo · branch feat/x · base main",
      "  [Plan] /plan my-app",
      "  [Approve] /approve my-app",
      "  [Status] /status my-app",
      "Approved my-app, but Ralph needs a plan first: it has no prd.json with open stories, so /run my-app is refused until it is planned. Plan it: /plan my-app.",
      "  [Plan] /plan my-app",
      `You are ${user}, console:${user}, role: admin.`,
      "/p needs a description.",
      "Usage: /p <slug> <description…> [--repo R] [--branch B] [--base M]",
      "Unknown command /nope. Send /help to see what planbot understands.",
      "Commands start with /. Send /help to see them, or /plan <slug> to start planning here.",
    ];
    expect(run.stdout.split("\n")).toEqual(expected);
    // No prompt and no banner when stdin is not a terminal; logs stay off stdout.
    expect(run.stdout).not.toContain("planbot>");
    expect(run.stdout).not.toContain('"level"');

    const file = JSON.parse(await readFile(join(dir, TASKS_FILE_NAME), "utf8")) as TasksFile;
    expect(file.projects).toEqual([
      expect.objectContaining({
        name: "my-app",
        status: "approved",
        repo: "todo",
        branch: "feat/x",
        base_branch: null,
      }),
    ]);
    expect(file.version).toBe(2);
  });

  it("an invalid configuration is a usage error (exit 2) naming the variable", async () => {
    const dir = await temp.make("chat-cli-bad-");
    const run = await execa(planbot, ["chat"], {
      input: "/help\n",
      cwd: dir,
      env: { ...bareEnv(dir), PLANBOT_ADMINS: "not an identity" },
      reject: false,
      timeout: 60_000,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Invalid PLANBOT_ADMINS");
    expect(run.stdout).toBe("");
  });
});

describe("planbot start with nothing configured", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "keeps running until %s, logs one line per adapter, then stops cleanly",
    async (signal) => {
      const dir = await temp.make("start-cli-");
      const loaded = loadConfig(bareEnv(dir), dir);
      if (!loaded.ok) throw new Error(loaded.message);
      const config = loaded.config;
      const child = execa(planbot, ["start"], { cwd: dir, env: bareEnv(dir), reject: false, timeout: 60_000 });
      let stderr = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => {
        stderr += chunk;
      });
      let exited = false;
      void child.finally(() => {
        exited = true;
      });
      const deadline = Date.now() + 30_000;
      while (!stderr.includes("planbot started") && !exited && Date.now() < deadline) await sleep(50);
      expect(stderr).toContain("planbot started");
      expect(stderr).toMatch(/no Discord or Telegram chat is configured: chat in the terminal/);
      // One line per adapter: started, or disabled naming the variable that enables it.
      for (const adapter of ADAPTERS) {
        if (adapter.disabledBecause(config))
          expect(stderr).toMatch(new RegExp(`"msg":"${adapter.name}: disabled \\([^)]*[A-Z]+_[A-Z_]+[^)]*\\)"`));
        else expect(stderr).toContain(`"msg":"${adapter.name}: started"`);
      }
      expect(ADAPTERS.filter((adapter) => adapter.disabledBecause(config)).map((adapter) => adapter.name)).toEqual(
        expect.arrayContaining(["discord", "telegram"]),
      );

      // Idle is not finished: the process must still be there a moment later, waiting for a signal.
      await sleep(1500);
      expect(exited, `planbot start exited on its own:\n${stderr}`).toBe(false);

      child.kill(signal);
      const run = await child;
      expect(run.exitCode, stderr).toBe(0);
      expect(stderr).toContain(`"signal":"${signal}"`);
      expect(stderr).toContain('"msg":"stopped"');
    },
  );
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
