// `planbot projects edit` and `/edit` in the terminal chat, through the real `bin/planbot` child process on
// a real store: each field with old → new, the no-op, the usage and validation errors with their exit codes,
// an unknown slug, and the refusal while the project is planned.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { planningEnv } from "./planning-env.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

async function proposedShop(prefix: string) {
  const cwd = await temp.make(prefix);
  const at = { cwd, env: { PLANBOT_DATA_DIR: join(cwd, "data") } };
  const proposed = await runPlanbot(
    ["projects", "propose", "shop", "A shop", "--repo", "wrong", "--branch", "feat/old", "--base", "nosuch"],
    at,
  );
  expect(proposed.exitCode).toBe(0);
  return { cwd, at, tasks: join(cwd, "data", "approved-tasks.json") };
}

describe("planbot projects edit", { timeout: 120_000 }, () => {
  it("a repository that cannot be cloned names /edit --repo in the chat; after the edit planning starts", async () => {
    const cwd = await temp.make("edit-repo-");
    const { remote, env } = await planningEnv(cwd);
    const at = { cwd, env };
    expect((await runPlanbot(["projects", "propose", "shop", "A shop", "--repo", "typo"], at)).exitCode).toBe(0);
    // One line per chat: the terminal runs a planner turn without blocking the prompt, so an /edit typed
    // right after /plan meets the project while it is being planned (and is refused, rightly).
    const plan = await runPlanbot(["chat"], { ...at, input: "/plan shop\n" });
    // The terminal is the operator's chat: git's error, and the chat's own way out (the repo).
    expect(plan.stdout).toContain(`could not clone ${remote.base}/typo`);
    expect(plan.stdout).toContain("To set the repo instead: /edit shop --repo R.");
    expect(plan.stderr).toContain(`could not clone ${remote.base}/typo`);
    const edit = await runPlanbot(["chat"], { ...at, input: "/edit shop --repo app\n" });
    expect(edit.stdout).toContain("Edited shop:\n- repo typo → app");
    const again = await runPlanbot(["chat"], { ...at, input: "/plan shop\n" });
    expect(again.stdout).toContain("Planning shop");
    expect(again.stdout).not.toContain("Could not start planning");
  });

  it("changes each field and prints old → new; a repeat changes nothing and writes nothing", async () => {
    const { at, tasks } = await proposedShop("edit-cli-");
    const edited = await runPlanbot(
      [
        "projects",
        "edit",
        "shop",
        "--repo",
        "team/shop",
        "--branch",
        "feat/new",
        "--base",
        "main",
        "--description",
        "A better shop",
      ],
      at,
    );
    expect(edited.exitCode).toBe(0);
    expect(edited.stdout.trim()).toBe(
      [
        "shop: edited (version 2)",
        '  repo: "wrong" → "team/shop"',
        '  branch: "feat/old" → "feat/new"',
        '  base: "nosuch" → "main"',
        '  description: "A shop" → "A better shop"',
      ].join("\n"),
    );
    const entry = (JSON.parse(await readFile(tasks, "utf8")) as { projects: Record<string, unknown>[] }).projects[0];
    expect(entry).toMatchObject({
      repo: "team/shop",
      branch: "feat/new",
      base_branch: "main",
      description: "A better shop",
    });

    const before = await readFile(tasks, "utf8");
    const again = await runPlanbot(["projects", "edit", "shop", "--base", "main", "--json"], at);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ name: "shop", version: 2, changes: [] });
    expect(await readFile(tasks, "utf8")).toBe(before);
  });

  it("refuses an edit with nothing to change, a stray word, a bad name and an unknown slug", async () => {
    const { at } = await proposedShop("edit-cli-bad-");
    const nothing = await runPlanbot(["projects", "edit", "shop"], at);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toContain("edit needs something to change: --repo, --branch, --base or --description");
    expect(nothing.stderr).toContain("planbot projects edit <slug> [--repo R]");

    const stray = await runPlanbot(["projects", "edit", "shop", "New", "words"], at);
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr).toContain('put a new description in --description "…" (unexpected "New words")');

    const badBranch = await runPlanbot(["projects", "edit", "shop", "--branch=-x", "--repo", "a/b/c", "--json"], at);
    expect(badBranch.exitCode).toBe(2);
    const body = JSON.parse(badBranch.stdout) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe("validation_failed");
    expect(body.fields.branch).toBe(
      'branch "-x" is not a valid git branch name: it starts with "-"; use a name such as feat/reminders.',
    );
    expect(body.fields.repo).toContain('repo "a/b/c" is not valid: use name or owner/name');
    expect(badBranch.stderr).toContain("error: repo");

    const unknown = await runPlanbot(["projects", "edit", "nope", "--base", "main"], at);
    expect(unknown.exitCode).toBe(4);
    expect(unknown.stderr.trim()).toBe('error: No project named "nope". See them with: planbot projects list');

    const help = await runPlanbot(["projects", "edit", "--help"], at);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain(
      "planbot projects edit <slug> [--repo R] [--branch B] [--base M] [--description TEXT] [--if-match N] [--json]",
    );
  });

  it("refuses while the project is being planned (exit 3), in the CLI and in the terminal chat", async () => {
    const { at, tasks } = await proposedShop("edit-cli-planning-");
    // The project as a planning chat leaves it: status planning with its session linked.
    const file = JSON.parse(await readFile(tasks, "utf8")) as { projects: Record<string, unknown>[] };
    Object.assign(file.projects[0]!, { status: "planning", planning_session_id: "s-1" });
    await writeFile(tasks, JSON.stringify(file, null, 2));

    const cli = await runPlanbot(["projects", "edit", "shop", "--base", "main"], at);
    expect(cli.exitCode).toBe(3);
    expect(cli.stderr).toContain('error: "shop" is being planned right now');

    const chat = await runPlanbot(["chat"], { ...at, input: "/edit shop --base main\n" });
    expect(chat.stdout).toContain('"shop" is being planned right now');
    expect(
      (JSON.parse(await readFile(tasks, "utf8")) as { projects: Record<string, unknown>[] }).projects[0],
    ).toMatchObject({ base_branch: "nosuch" });
  });

  it("/edit in the terminal chat shows old → new, the usage when nothing is given, and the no-op", async () => {
    const { at } = await proposedShop("edit-chat-");
    const chat = await runPlanbot(["chat"], {
      ...at,
      input:
        "/edit shop A shop that sells tea --base main\n/edit shop\n/edit shop --base main\n/edit shop --branch ..\n",
    });
    expect(chat.exitCode).toBe(0);
    expect(chat.stdout).toContain("Edited shop:\n- base nosuch → main\n- description: A shop → A shop that sells tea");
    expect(chat.stdout).toContain("/edit shop needs something to change");
    expect(chat.stdout).toContain("Usage: /edit <slug> [description…] [--repo R] [--branch B] [--base M]");
    expect(chat.stdout).toContain("Nothing changed: shop already has base main.");
    expect(chat.stdout).toContain('branch ".." is not a valid git branch name: it contains ".."');
  });
});
