import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { baseEnv, planbotBin as bin } from "../helpers/planbot-child.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

interface Cli {
  dataDir: string;
  workspaceDir: string;
  run(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;
}

/** A fresh data dir, and `bin/planbot` run as a real child process against it (cwd = the temp dir, so no .env). */
async function cli(): Promise<Cli> {
  const root = await temp.make("cli-");
  const dataDir = join(root, "data");
  return {
    dataDir,
    workspaceDir: join(dataDir, "workspace"),
    async run(args, env = {}) {
      const result = await execa(bin, args, {
        cwd: root,
        env: { ...baseEnv, PLANBOT_DATA_DIR: dataDir, ...env },
        extendEnv: false,
        reject: false,
        timeout: 280_000,
      });
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

// Each call starts node + tsx (~0.6 s of CPU): generous timeouts for a busy 2-core machine, no timing checks.
describe.concurrent("planbot projects (real child processes)", { timeout: 300_000 }, () => {
  it("propose → list → show → approve → unapprove → cancel, text and --json", async ({ expect }) => {
    const c = await cli();
    const empty = await c.run(["projects", "list"]);
    expect(empty).toMatchObject({ exitCode: 0, stderr: "" });
    expect(empty.stdout).toMatch(/no projects yet \(version 0\)/);

    const proposed = await c.run([
      "projects",
      "propose",
      "Todo-App",
      "A",
      "todo",
      "app",
      "--repo",
      "team/todo",
      "--branch=feature/todo",
      "--base",
      "main",
      "--json",
    ]);
    expect(proposed.exitCode, proposed.stderr).toBe(0);
    expect(JSON.parse(proposed.stdout)).toMatchObject({
      name: "todo-app",
      description: "A todo app",
      status: "pending",
      repo: "team/todo",
      branch: "feature/todo",
      base_branch: "main",
      version: 1,
    });
    const one = await c.run(["projects", "list"]);
    expect(one.stdout.split("\n").at(-1)).toBe("(1 project, version 1)");
    const text = await c.run(["projects", "propose", "second", "Another", "one"]);
    expect(text).toMatchObject({ exitCode: 0, stdout: "proposed second (pending, version 2)" });

    await mkdir(workspacePaths(c.workspaceDir, "todo-app").ralph, { recursive: true });
    await writeFile(
      workspacePaths(c.workspaceDir, "todo-app").prd,
      JSON.stringify({
        userStories: [
          { id: "US-1", passes: true },
          { id: "US-2", passes: false },
        ],
      }),
    );

    const listed = await c.run(["projects", "list", "--json"]);
    expect(listed.exitCode).toBe(0);
    const list = JSON.parse(listed.stdout);
    expect(list).toMatchObject({ version: 2, count: 2 });
    expect(
      list.projects.map((p: { slug: string; status: string; stories_done: number }) => [
        p.slug,
        p.status,
        p.stories_done,
      ]),
    ).toEqual([
      ["second", "pending", 0],
      ["todo-app", "pending", 1],
    ]);
    const table = await c.run(["projects", "list"]);
    expect(table.stdout.split("\n")).toEqual([
      expect.stringMatching(/^SLUG\s+STATUS\s+STORIES\s+DESCRIPTION$/),
      expect.stringMatching(/^second\s+pending\s+-\s+Another one$/),
      expect.stringMatching(/^todo-app\s+pending\s+1\/2\s+A todo app$/),
      "(2 projects, version 2)",
    ]);

    const shown = await c.run(["projects", "show", "TODO-APP", "--json"]);
    expect(shown.exitCode).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      slug: "todo-app",
      has_workspace: true,
      stories_total: 2,
      stories_done: 1,
      repo: "team/todo",
    });
    const shownText = await c.run(["projects", "show", "todo-app"]);
    expect(shownText.stdout).toMatch(
      /^todo-app: pending\ndescription: A todo app\nrepo: team\/todo {2}branch: feature\/todo {2}base: main\nstories: 1\/2\nproposed: (less than a minute|\d+ min) ago$/,
    );

    const approved = await c.run(["projects", "approve", "todo-app", "--if-match", "2", "--json"]);
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ name: "todo-app", status: "approved", version: 3 });
    expect(await c.run(["projects", "unapprove", "todo-app"])).toMatchObject({
      exitCode: 0,
      stdout: "todo-app: pending (version 4)",
    });
    expect(await c.run(["projects", "cancel", "todo-app", "--if-match=4"])).toMatchObject({
      exitCode: 0,
      stdout: "todo-app: cancelled (version 5)",
    });

    const file = JSON.parse(await readFile(join(c.dataDir, TASKS_FILE_NAME), "utf8"));
    expect(file.version).toBe(5);
    expect(file.projects.map((p: { name: string; status: string }) => `${p.name}:${p.status}`)).toEqual([
      "todo-app:cancelled",
      "second:pending",
    ]);
  });

  it("conflicts exit 3: stale --if-match (with the current version), duplicate slug in any case", async ({
    expect,
  }) => {
    const c = await cli();
    expect((await c.run(["projects", "propose", "alpha", "Alpha"])).exitCode).toBe(0);

    const stale = await c.run(["projects", "approve", "alpha", "--if-match", "0", "--json"]);
    expect(stale.exitCode).toBe(3);
    expect(JSON.parse(stale.stdout)).toEqual({
      error: "stale",
      message: expect.stringContaining("version 1"),
      current_version: 1,
    });
    expect(stale.stderr).toMatch(/^error: The project list changed/);

    const staleText = await c.run(["projects", "cancel", "alpha", "--if-match", "7"]);
    expect(staleText).toMatchObject({ exitCode: 3, stdout: "" });

    const duplicate = await c.run(["projects", "propose", "ALPHA", "Again", "--json"]);
    expect(duplicate.exitCode).toBe(3);
    expect(JSON.parse(duplicate.stdout)).toMatchObject({ error: "duplicate_slug" });
    expect(duplicate.stderr).toContain('"alpha" already exists');

    const file = JSON.parse(await readFile(join(c.dataDir, TASKS_FILE_NAME), "utf8"));
    expect(file.version).toBe(1);
  });

  it("not found exits 4 for show, approve, unapprove and cancel", async ({ expect }) => {
    const c = await cli();
    for (const action of ["show", "approve", "unapprove", "cancel"]) {
      const result = await c.run(["projects", action, "ghost", "--json"]);
      expect(result.exitCode, action).toBe(4);
      expect(JSON.parse(result.stdout), action).toMatchObject({ error: "not_found" });
      expect(result.stderr, action).toContain('"ghost"');
    }
    expect(existsSync(join(c.dataDir, TASKS_FILE_NAME))).toBe(false);
  });

  it("usage errors exit 2 and show the usage line; bad input names the field", async ({ expect }) => {
    const c = await cli();
    const cases: string[][] = [
      ["projects"],
      ["projects", "frobnicate"],
      ["projects", "list", "--bogus"],
      ["projects", "show"],
      ["projects", "propose", "alpha"],
      ["projects", "approve", "a", "b"],
      ["projects", "approve", "alpha", "--if-match", "abc"],
    ];
    for (const args of cases) {
      const result = await c.run(args);
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain("usage: planbot projects");
    }
    const invalid = await c.run([
      "projects",
      "propose",
      "bad_slug",
      "Desc",
      "--branch",
      "a..b",
      "--base=-main",
      "--repo",
      "a/b/c",
      "--json",
    ]);
    expect(invalid.exitCode).toBe(2);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      error: "validation_failed",
      fields: {
        slug: expect.stringMatching(/^slug /),
        branch: expect.stringMatching(/^branch /),
        base_branch: expect.stringMatching(/^base /),
        repo: expect.stringMatching(/^repo /),
      },
    });
    expect(existsSync(join(c.dataDir, TASKS_FILE_NAME))).toBe(false);

    const help = await c.run(["projects", "--help"]);
    expect(help).toMatchObject({ exitCode: 0, stderr: "" });
    expect(help.stdout).toMatch(/^usage: planbot projects list/);
    expect(await c.run(["nonsense"])).toMatchObject({ exitCode: 2, stdout: "" });
  });

  it("a corrupt store: every command fails with exit 1 naming the file, which stays byte for byte", async ({
    expect,
  }) => {
    const c = await cli();
    const path = join(c.dataDir, TASKS_FILE_NAME);
    await mkdir(c.dataDir, { recursive: true });
    const corrupt = '{"projects": [{"name": "alpha", "status": "pending"}], "version": 3,,}';
    await writeFile(path, corrupt);
    for (const args of [
      ["projects", "list"],
      ["projects", "show", "alpha"],
      ["projects", "cancel", "alpha", "--if-match", "3"],
    ]) {
      const result = await c.run(args);
      expect(result.exitCode, args.join(" ")).toBe(1);
      expect(result.stderr, args.join(" ")).toContain(path);
      expect(result.stderr, args.join(" ")).toMatch(/will not overwrite it/);
    }
    const json = await c.run(["projects", "propose", "beta", "Beta", "--json"]);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: "store_corrupt", message: expect.stringContaining(path) });
    expect(await readFile(path, "utf8")).toBe(corrupt);
  });

  it("an invalid environment value stops with one line naming the variable, exit 2, nothing written", async ({
    expect,
  }) => {
    const c = await cli();
    for (const [name, value] of [
      ["DASHBOARD_PORT", "abc"],
      ["PLANBOT_ADMINS", "not-an-identity"],
    ] as const) {
      const result = await c.run(["projects", "propose", "alpha", "Alpha"], { [name]: value });
      expect(result.exitCode, name).toBe(2);
      expect(result.stdout, name).toBe("");
      const lines = result.stderr.trim().split("\n");
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(new RegExp(`^planbot: Invalid ${name} \\(got "${value}"\\): `));
    }
    expect(existsSync(c.dataDir)).toBe(false);
  });
});

it("bin/planbot is executable", async () => {
  const { mode } = await import("node:fs").then((fs) => fs.statSync(bin));
  expect(mode & 0o111).not.toBe(0);
});
