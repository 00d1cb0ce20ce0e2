// Where a refused run shows: `planbot execute` (a real child process, the executor EXECUTE_AT runs) is
// refused by the preflight, then `/status` and `/status <slug>` through the bot of a real runtime over the
// same data dir, and `planbot projects list` / `show` as child processes, say why and what to do — until a
// person unapproves and approves the project again.
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import { fail } from "../../src/projects/result.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { baseEnv, planbotBin as bin } from "../helpers/planbot-child.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  await temp.cleanup();
});

/** No planner process: these tests are about what the surfaces show. */
const noPlanner: PlannerBackend = {
  run: async () => fail("planner_failed", "no planner in these tests", { details: { reason: "missing" } }),
};

async function world() {
  const root = await temp.make("refusal-status-");
  const dataDir = join(root, "data");
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dataDir }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, { planner: noPlanner });
  runtimes.push(runtime);
  const planbot = async (args: string[]) => {
    const result = await execa(bin, args, {
      cwd: root,
      env: { ...baseEnv, PLANBOT_DATA_DIR: dataDir, LOG_LEVEL: "error" },
      extendEnv: false,
      reject: false,
      timeout: 120_000,
    });
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const say = async (text: string) => {
    const replies = await runtime.bot.handleCommand({
      adapter: "console",
      channelId: "terminal",
      userId: "alice",
      userName: "alice",
      text,
    });
    return replies.map((reply) => reply.text).join("\n");
  };
  return { planbot, say };
}

describe("a refused run on the status surfaces", { timeout: 300_000 }, () => {
  it("/status, /status <slug>, planbot projects list and show name the refusal while the project waits; re-approval clears it", async () => {
    const { planbot, say } = await world();
    expect(await say("/p my-app A todo app")).toContain("Proposed **my-app**");
    expect(await say("/approve my-app")).toMatch(/approved/i);

    const run = await planbot(["execute"]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^my-app: refused: Ralph was not started: my-app has no plan/);

    const card = await say("/status my-app");
    expect(card).toContain("**my-app** — approved — not started, needs a fix\n");
    expect(card).toMatch(
      /\nNot started \((less than a minute|\d+ min) ago\): my-app has no plan: Ralph works from scripts\/ralph\/prd\.json in the workspace and there is none\n/,
    );
    expect(card).toContain("\nFix: plan it first (/plan my-app in a chat, or the dashboard), then run it again");
    expect(await say("/status")).toContain(
      "**my-app** — approved — not started, needs a fix: my-app has no plan: Ralph works from scripts/ralph/prd.json in the workspace an…",
    );

    const list = await planbot(["projects", "list"]);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toContain(
      "\nmy-app was not started: my-app has no plan: Ralph works from scripts/ralph/prd.json in the workspace and there is none (planbot projects show my-app)",
    );
    const show = await planbot(["projects", "show", "my-app"]);
    expect(show.stdout).toMatch(
      /\nnot started: (less than a minute|\d+ min) ago: my-app has no plan: Ralph works from/,
    );
    // Times read as people say them; only --json keeps the ISO timestamp.
    expect(`${card}${show.stdout}`).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(show.stdout).toContain("\nfix: plan it first (/plan my-app in a chat, or the dashboard), then run it again");
    const json = JSON.parse((await planbot(["projects", "show", "my-app", "--json"])).stdout);
    expect(json.run_refusal).toMatchObject({ check: "plan", worker: null });
    expect(json.run_refusal.at).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);

    // A person acted on the project: the old refusal is no longer shown anywhere.
    await say("/unapprove my-app");
    expect(await say("/status my-app")).not.toContain("Not started");
    await say("/approve my-app");
    expect(await say("/status my-app")).not.toContain("Not started");
    expect(await say("/status")).toContain("**my-app** — approved — not planned yet");
    expect(await say("/status")).not.toContain("not started");
    const after = await planbot(["projects", "list"]);
    expect(after.stdout).not.toContain("was not started");
    expect((await planbot(["projects", "show", "my-app"])).stdout).not.toContain("not started");
  });
});
