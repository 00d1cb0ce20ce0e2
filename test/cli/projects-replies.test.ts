// `planbot projects approve|cancel` as a newcomer uses them, through the real `bin/planbot` child process:
// approving an unplanned project, and repeating a change that was already made.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("planbot projects replies say what the change did", { timeout: 120_000 }, () => {
  it("approving a project with no plan says Ralph will refuse it and how to plan it", async () => {
    const cwd = await temp.make("approve-");
    const at = { cwd, env: { PLANBOT_DATA_DIR: join(cwd, "data") } };
    expect((await runPlanbot(["projects", "propose", "shop", "A", "shop"], at)).exitCode).toBe(0);
    const approved = await runPlanbot(["projects", "approve", "shop"], at);
    expect(approved.exitCode).toBe(0);
    expect(approved.stdout).toMatch(/^shop: approved \(version 2\)/);
    expect(approved.stderr).toContain("note: shop has no plan yet, so Ralph refuses to run it");
    expect(approved.stderr).toContain("planbot chat, then /plan shop");

    // A planned project gets no such note.
    await writePlanningArtifacts(join(cwd, "data", "workspace"), "shop");
    const again = await runPlanbot(["projects", "approve", "shop"], at);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).not.toContain("no plan");
  });

  it("approving a project whose every story passes says Ralph has nothing to do, in the CLI and in a chat", async () => {
    const cwd = await temp.make("approve-done-");
    const at = { cwd, env: { PLANBOT_DATA_DIR: join(cwd, "data") } };
    await runPlanbot(["projects", "propose", "shop", "A shop"], at);
    const prd = samplePrd("shop", 2);
    for (const story of prd.userStories) story.passes = true;
    await writePlanningArtifacts(join(cwd, "data", "workspace"), "shop", { prd });
    const cli = await runPlanbot(["projects", "approve", "shop"], at);
    expect(cli.exitCode).toBe(0);
    expect(cli.stderr).toContain("note: every story of shop's plan already passes (2/2)");
    expect(cli.stderr).toContain("/replan shop --force");
    expect(cli.stderr).not.toContain("no plan yet");
    // The terminal chat (a planbot of its own here) answers /approve the same way, not "Plan it: /plan shop".
    const chat = await runPlanbot(["chat"], { ...at, input: "/approve shop\n" });
    expect(chat.exitCode).toBe(0);
    expect(chat.stdout).toContain("Approved shop, but every story of its plan already passes (2/2)");
    expect(chat.stdout).toContain("[Re-plan] /replan shop --force");
    expect(chat.stdout).not.toContain("Plan it:");
  });

  it("a slug typed with capitals is stored lower-case, and the reply says which name to use", async () => {
    const cwd = await temp.make("capitals-");
    const at = { cwd, env: { PLANBOT_DATA_DIR: join(cwd, "data") } };
    const proposed = await runPlanbot(["projects", "propose", "My-Shop", "A shop"], at);
    expect(proposed.exitCode).toBe(0);
    expect(proposed.stdout.trim()).toBe("proposed my-shop (pending, version 1)");
    expect(proposed.stderr.trim()).toBe(
      'note: slugs are lower-case, so "My-Shop" is stored as "my-shop"; use that name from now on.',
    );
    // A slug with a space is refused, naming the rule.
    const spaced = await runPlanbot(["projects", "propose", "my shop", "A shop"], at);
    expect(spaced.exitCode).toBe(2);
    expect(spaced.stderr).toContain('slug "my shop" is not valid: use lower-case letters, digits and dashes');
  });

  it("a second approve or cancel says the project already was so", async () => {
    const cwd = await temp.make("repeat-");
    const at = { cwd, env: { PLANBOT_DATA_DIR: join(cwd, "data") } };
    await runPlanbot(["projects", "propose", "shop", "A shop"], at);
    const first = await runPlanbot(["projects", "cancel", "shop"], at);
    expect(first.stdout).toMatch(/^shop: cancelled \(version 2\)/);
    const second = await runPlanbot(["projects", "cancel", "shop"], at);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toMatch(/^shop: cancelled, as it already was \(version \d+\)/);
    // A misspelt slug is not found, and the reply says where to see the right one.
    const missing = await runPlanbot(["projects", "show", "shpo"], at);
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr.trim()).toBe('error: No project named "shpo". See them with: planbot projects list');
  });

  it("cancelling a project being planned while no planbot runs: the next planbot chat ends its session", async () => {
    const cwd = await temp.make("cancel-planning-");
    const dataDir = join(cwd, "data");
    const at = {
      cwd,
      env: { PLANBOT_DATA_DIR: dataDir, PLANNER_COMMAND: fakeClaudePath, CLAUDE_CONFIG_DIR: join(cwd, "claude") },
    };
    // The terminal was planning shop when planbot stopped.
    await runPlanbot(["projects", "propose", "shop", "A shop"], at);
    const now = new Date().toISOString();
    const tasks = { version: 1, projects: [{ name: "shop", description: "A shop", status: "planning" }] };
    await writeFile(join(dataDir, "approved-tasks.json"), JSON.stringify(tasks));
    await mkdir(join(dataDir, "sessions"), { recursive: true });
    const session = {
      adapter: "console",
      channel_id: "terminal",
      slug: "shop",
      phase: "clarify",
      phases_planned: ["clarify", "design", "stories"],
      phases_completed: [],
      session_id: "00000000-0000-4000-8000-000000000001",
      planning_session_id: "p-1",
      started_at: now,
      updated_at: now,
    };
    await writeFile(join(dataDir, "sessions", "planning.json"), JSON.stringify({ "console:terminal": session }));

    const cancelled = await runPlanbot(["projects", "cancel", "shop"], at);
    expect(cancelled.exitCode).toBe(0);
    expect(cancelled.stderr).toContain("note: shop was being planned; a running planbot");
    const chat = await runPlanbot(["chat"], { ...at, input: "Potters, mostly\n" });
    expect(chat.exitCode).toBe(0);
    expect(chat.stdout).toContain("Planning of shop was ended (the project is cancelled).");
    expect(chat.stdout).toContain(
      "Planning of shop has ended (the project is cancelled), so this did not go to the planner. /replan shop plans it again",
    );
    expect(existsSync(join(cwd, "claude", "fake-claude", "calls.jsonl"))).toBe(false);
  });
});
