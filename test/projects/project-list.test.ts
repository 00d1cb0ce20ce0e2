import { appendFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { createChangeWatcher, type ChangeWatcher } from "../../src/projects/change-watcher.ts";
import type { Clock } from "../../src/projects/clock.ts";
import { createLifecycle, type Lifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectLister, type ProjectLister, type ProjectRecord } from "../../src/projects/project-list.ts";
import { readPrd, workspaceFolders } from "../../src/projects/workspace-reads.ts";
import { createProjectStore, type ProjectStore } from "../../src/projects/project-store.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { SEED_RECORD_KEYS } from "../helpers/seed-record-keys.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const watchers: ChangeWatcher[] = [];
afterEach(async () => {
  for (const watcher of watchers.splice(0)) await watcher.stop();
  await temp.cleanup();
});
const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };

/** The keys planbot adds to the seed's `_project_record` ones. */
const PLANBOT_KEYS = [
  "repo",
  "branch",
  "base_branch",
  "final_plan_path",
  "last_iteration_at",
  "blocked_stories",
  "failed_stories",
  "pull_request",
  "delivery",
  "run_refusal",
  "error_fix",
  "error_operator",
];

interface Fixture {
  root: string;
  workspaceDir: string;
  store: ProjectStore;
  lifecycle: Lifecycle;
  lister: ProjectLister;
}

async function fixture(previews?: () => ReadonlyMap<string, string>): Promise<Fixture> {
  const root = await temp.make("list-");
  const workspaceDir = join(root, "workspace");
  await mkdir(workspaceDir, { recursive: true });
  const store = createProjectStore({ dataDir: join(root, "data"), clock });
  return {
    root,
    workspaceDir,
    store,
    lifecycle: createLifecycle({ store, clock, workspaceDir }),
    lister: createProjectLister({ store, clock, workspaceDir, ...(previews ? { previews } : {}) }),
  };
}

function prdText(slug: string, stories: Array<{ passes: boolean; blocked?: boolean; failed?: boolean }>): string {
  return JSON.stringify({
    project: slug,
    branchName: `ralph/${slug}`,
    description: `PRD of ${slug}`,
    userStories: stories.map((story, index) => ({
      id: `US-${index + 1}`,
      title: `Story ${index + 1}`,
      description: "",
      acceptanceCriteria: [],
      priority: index + 1,
      notes: "",
      ...story,
    })),
  });
}

async function addWorkspace(
  f: Fixture,
  slug: string,
  stories?: Array<{ passes: boolean; blocked?: boolean; failed?: boolean }>,
): Promise<ReturnType<typeof workspacePaths>> {
  const paths = workspacePaths(f.workspaceDir, slug);
  await mkdir(paths.ralph, { recursive: true });
  if (stories) await writeFile(paths.prd, prdText(slug, stories));
  return paths;
}

async function list(f: Fixture): Promise<ProjectRecord[]> {
  const result = await f.lister.list();
  if (!result.ok) throw new Error(result.message);
  return result.list.projects;
}

async function one(f: Fixture, slug: string): Promise<ProjectRecord> {
  const record = (await list(f)).find((project) => project.slug === slug);
  if (!record) throw new Error(`${slug} is not listed`);
  return record;
}

describe("the unified list", () => {
  it("workspace folders plus store-only entries, sorted, with the seed's record fields", async () => {
    const f = await fixture();
    const alpha = await addWorkspace(f, "alpha", [
      { passes: true },
      { passes: false },
      { passes: false, blocked: true },
    ]);
    await mkdir(alpha.logs, { recursive: true });
    await writeFile(join(alpha.logs, "iteration-1.log"), "one\n");
    await writeFile(join(alpha.logs, "iteration-2.log"), "two\n");
    await writeFile(join(alpha.logs, "other.log"), "not an iteration\n");
    utimesSync(join(alpha.logs, "iteration-1.log"), 1_700_000_000, 1_700_000_000);
    utimesSync(join(alpha.logs, "iteration-2.log"), 1_700_000_100, 1_700_000_100);
    utimesSync(join(alpha.logs, "other.log"), 1_800_000_000, 1_800_000_000);
    await addWorkspace(f, "beta");
    await mkdir(join(f.workspaceDir, ".hidden"));
    await writeFile(join(f.workspaceDir, "notes.txt"), "a file, not a project");
    await f.lifecycle.propose({
      slug: "zeta",
      description: "Store only",
      repo: "team/zeta",
      branch: "feature/z",
      base: "main",
    });
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha in both" });
    await f.lifecycle.approve("alpha");
    await f.lifecycle.propose({ slug: "gamma", description: "Store only too" });

    const result = await f.lister.list();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { projects, version, fetchedAt, count } = result.list;
    expect({ version, fetchedAt, count }).toEqual({ version: 4, fetchedAt: "2025-03-01T12:00:00.000Z", count: 4 });
    expect(projects.map((project) => project.slug)).toEqual(["alpha", "beta", "gamma", "zeta"]);
    for (const project of projects)
      expect(Object.keys(project).sort()).toEqual([...SEED_RECORD_KEYS, ...PLANBOT_KEYS].sort());

    expect(projects[0]).toEqual({
      slug: "alpha",
      status: "approved",
      name: "alpha",
      description: "Alpha in both",
      proposed_at: "2025-03-01T12:00:00.000Z",
      approved_at: "2025-03-01T12:00:00.000Z",
      started_at: null,
      pid: null,
      stories_total: 3,
      stories_done: 1,
      eta_seconds: 2 * 12 * 60,
      last_message_preview: "",
      error_reason: "",
      has_workspace: true,
      has_prd: true,
      repo: null,
      // The branch Ralph works on: no branch on the entry, so prd.json's branchName.
      branch: "ralph/alpha",
      base_branch: null,
      final_plan_path: null,
      last_iteration_at: new Date(1_700_000_100_000).toISOString(),
      blocked_stories: ["US-3"],
      failed_stories: [],
      pull_request: null,
      delivery: null,
      run_refusal: null,
      error_fix: null,
      error_operator: null,
    });
    expect(projects[1]).toMatchObject({
      slug: "beta",
      status: "idle",
      description: "",
      has_workspace: true,
      has_prd: false,
      stories_total: 0,
      eta_seconds: null,
      last_iteration_at: null,
      proposed_at: null,
      branch: "ralph/beta",
    });
    expect(projects[3]).toMatchObject({
      slug: "zeta",
      status: "pending",
      has_workspace: false,
      has_prd: false,
      repo: "team/zeta",
      branch: "feature/z",
      base_branch: "main",
    });
  });

  it("an empty world is an empty list at version 0 (no workspace folder, no store file)", async () => {
    const root = await temp.make("list-empty-");
    const store = createProjectStore({ dataDir: join(root, "data"), clock });
    const result = await createProjectLister({ store, clock, workspaceDir: join(root, "nope") }).list();
    expect(result).toEqual({
      ok: true,
      list: { projects: [], version: 0, fetchedAt: "2025-03-01T12:00:00.000Z", count: 0 },
    });
    expect(workspaceFolders(join(root, "nope"))).toEqual([]);
  });

  it("joins folders and entries case-insensitively, keeping the folder's name", async () => {
    const f = await fixture();
    await addWorkspace(f, "Mixed-Case", [{ passes: true }]);
    await f.store.mutate(
      (file) => (
        file.projects.push(
          { name: "mixed-case", description: "From the store", status: "pending" },
          { name: "", description: "nameless entries are skipped" },
        ),
        { ok: true }
      ),
    );
    const projects = await list(f);
    expect(projects).toHaveLength(1);
    expect(projects[0]).toMatchObject({
      slug: "Mixed-Case",
      description: "From the store",
      status: "pending",
      stories_total: 1,
    });
  });

  it("error, pid, started_at, final plan and a failed story are reported", async () => {
    const f = await fixture();
    await addWorkspace(f, "broken", [{ passes: true }, { passes: false, failed: true }]);
    const entry: ProjectEntry = {
      name: "broken",
      status: "failed",
      error: "ralph exited 1",
      pid: null,
      started_at: "2025-02-28T00:00:00Z",
      final_plan_path: "/w/broken/final-plan.md",
    };
    await f.store.mutate((file) => (file.projects.push(entry), { ok: true }));
    expect(await one(f, "broken")).toMatchObject({
      status: "failed",
      error_reason: "ralph exited 1",
      started_at: "2025-02-28T00:00:00Z",
      final_plan_path: "/w/broken/final-plan.md",
      failed_stories: ["US-2"],
      // A failed run waits on a person: no ETA.
      eta_seconds: null,
    });
  });

  it("an unreadable prd.json counts as absent, like the seed", async () => {
    const f = await fixture();
    const paths = await addWorkspace(f, "torn");
    await writeFile(paths.prd, '{"userStories": [');
    expect(await one(f, "torn")).toMatchObject({ has_prd: false, stories_total: 0, status: "idle" });
  });

  it("last_message_preview comes from the planning layer by lower-case slug, cut to 200 characters", async () => {
    const f = await fixture(() => new Map([["alpha", "x".repeat(250)]]));
    await addWorkspace(f, "Alpha");
    expect((await one(f, "Alpha")).last_message_preview).toBe("x".repeat(200));
  });
});

describe("get(slug)", () => {
  it("finds workspace-only, store-only and joined projects, case-insensitively for entries; undefined when neither exists", async () => {
    const f = await fixture();
    await addWorkspace(f, "both", [{ passes: false }]);
    await addWorkspace(f, "folder-only");
    await f.lifecycle.propose({ slug: "both", description: "Both" });
    await f.lifecycle.propose({ slug: "entry-only", description: "Entry only" });

    const get = async (slug: string) => {
      const result = await f.lister.get(slug);
      if (!result.ok) throw new Error(result.message);
      return result.record;
    };
    expect(await get("both")).toMatchObject({
      slug: "both",
      description: "Both",
      has_workspace: true,
      has_prd: true,
      stories_total: 1,
      status: "pending",
    });
    expect(await get("folder-only")).toMatchObject({ slug: "folder-only", has_workspace: true, status: "idle" });
    expect(await get("ENTRY-ONLY")).toMatchObject({
      slug: "entry-only",
      has_workspace: false,
      description: "Entry only",
    });
    expect(await get("ghost")).toBeUndefined();
    // get agrees with list for every project.
    const listed = await list(f);
    for (const record of listed) expect({ ...(await get(record.slug)), fetched: 0 }).toEqual({ ...record, fetched: 0 });
  });

  it("recordAs: the record as it read with the entry a change replaced, from the workspace get just read", async () => {
    const f = await fixture();
    await addWorkspace(f, "done", [{ passes: true }, { passes: true }]);
    await f.lifecycle.propose({ slug: "done", description: "Done" });
    const completed = await f.store.mutate((file) => {
      const entry = file.projects.find((project) => project.name === "done")!;
      entry.status = "complete";
      return { ok: true };
    });
    expect(completed.ok).toBe(true);
    const unapproved = await f.lifecycle.unapprove("done");
    if (!unapproved.ok) throw new Error(unapproved.message);
    expect(unapproved.before?.status).toBe("complete");
    const read = await f.lister.get("done");
    if (!read.ok || !read.record) throw new Error("no record");
    expect(read.record.status).toBe("pending");
    // The prd goes after get read it: recordAs words the change from what get saw, touching no file.
    rmSync(workspacePaths(f.workspaceDir, "done").prd);
    const before = f.lister.recordAs(read.record, unapproved.before!);
    expect(before).toMatchObject({ slug: "done", status: "complete", stories_total: 2, stories_done: 2 });
    expect({ ...before, status: "pending" }).toEqual(read.record);
  });

  it("recordOf: a change's entry with its workspace is the record get reads after it, without reading the store", async () => {
    const f = await fixture();
    await addWorkspace(f, "alpha", [{ passes: true }, { passes: false }]);
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    const approved = await f.lifecycle.approve("alpha");
    if (!approved.ok) throw new Error(approved.message);
    const read = await f.lister.get("alpha");
    if (!read.ok || !read.record) throw new Error("no record");
    expect(f.lister.recordOf(approved.entry)).toEqual(read.record);
    expect(read.record).toMatchObject({ status: "approved", stories_total: 2, stories_done: 1, has_workspace: true });
    // Only the entry it is given counts: a later change in the store is not read.
    await f.lifecycle.unapprove("alpha");
    expect(f.lister.recordOf(approved.entry).status).toBe("approved");
    // A store-only project has no workspace to describe.
    const beta = await f.lifecycle.propose({ slug: "beta", description: "Beta" });
    if (!beta.ok) throw new Error(beta.message);
    expect(f.lister.recordOf(beta.entry)).toMatchObject({ slug: "beta", has_workspace: false, status: "pending" });
  });

  it("does not describe folders outside the workspace (a slug is never a path)", async () => {
    const f = await fixture();
    await mkdir(join(f.root, "outside", "scripts", "ralph"), { recursive: true });
    await writeFile(join(f.root, "outside", "scripts", "ralph", "prd.json"), prdText("outside", [{ passes: true }]));
    for (const slug of ["../outside", "..", "../../", "/etc"]) {
      const result = await f.lister.get(slug);
      expect(result.ok && result.record, slug).toBeFalsy();
    }
  });
});

describe("links the repository put in a workspace are not followed", () => {
  it("a prd.json, a scripts/ralph folder or an iteration log that is a symbolic link reads as absent", async () => {
    const f = await fixture();
    const outside = join(f.root, "outside");
    await mkdir(join(outside, "ralph", "logs"), { recursive: true });
    await writeFile(join(outside, "prd.json"), prdText("outside", [{ passes: true }, { passes: true }]));
    await writeFile(join(outside, "ralph", "prd.json"), prdText("outside", [{ passes: true }]));
    await writeFile(join(outside, "iteration-1.log"), "secret\n");

    const fileLink = await addWorkspace(f, "file-link");
    symlinkSync(join(outside, "prd.json"), fileLink.prd);
    const folderLink = workspacePaths(f.workspaceDir, "folder-link");
    await mkdir(join(folderLink.root, "scripts"), { recursive: true });
    symlinkSync(join(outside, "ralph"), folderLink.ralph);
    const logLink = await addWorkspace(f, "log-link", [{ passes: false }]);
    await mkdir(logLink.logs);
    symlinkSync(join(outside, "iteration-1.log"), join(logLink.logs, "iteration-1.log"));

    expect(await one(f, "file-link")).toMatchObject({ has_prd: false, stories_total: 0, stories_done: 0 });
    expect(await one(f, "folder-link")).toMatchObject({ has_prd: false, stories_total: 0 });
    expect(await one(f, "log-link")).toMatchObject({ stories_total: 1, last_iteration_at: null });
    expect(readPrd(fileLink.prd)).toBeNull();
    expect(readPrd(folderLink.prd)).toBeNull();
    // The same files, copied in for real, are read.
    rmSync(fileLink.prd);
    await writeFile(fileLink.prd, prdText("file-link", [{ passes: true }, { passes: false }]));
    expect(readPrd(fileLink.prd)?.userStories).toHaveLength(2);
    expect(await one(f, "file-link")).toMatchObject({ stories_total: 2, stories_done: 1 });
  });
});

describe("the list's cache follows the files", () => {
  it("a rewritten prd.json with the same mtime but a different size shows the new counts", async () => {
    const f = await fixture();
    const paths = await addWorkspace(f, "alpha", [{ passes: true }, { passes: false }]);
    utimesSync(paths.prd, 1_700_000_000, 1_700_000_000);
    expect(await one(f, "alpha")).toMatchObject({ stories_total: 2, stories_done: 1 });

    // In place (same inode), then the mtime put back: only the size tells the change.
    const { ino } = statSync(paths.prd);
    writeFileSync(
      paths.prd,
      prdText("alpha", [{ passes: true }, { passes: true }, { passes: true }, { passes: false }]),
    );
    utimesSync(paths.prd, 1_700_000_000, 1_700_000_000);
    expect(statSync(paths.prd).ino).toBe(ino);
    expect(await one(f, "alpha")).toMatchObject({ stories_total: 4, stories_done: 3 });
  });

  it("a prd.json renamed over the old one (same size, same mtime, new inode) is re-read", async () => {
    const f = await fixture();
    const paths = await addWorkspace(f, "alpha", [{ passes: false }, { passes: false }]);
    utimesSync(paths.prd, 1_700_000_000, 1_700_000_000);
    expect(await one(f, "alpha")).toMatchObject({ stories_done: 0, status: "idle" });
    const next = `${paths.prd}.new`;
    // "true" is one character shorter than "false": pad with JSON whitespace to the old size.
    const oldSize = statSync(paths.prd).size;
    writeFileSync(next, prdText("alpha", [{ passes: true }, { passes: true }]).padEnd(oldSize, " "));
    expect(statSync(next).size).toBe(oldSize);
    utimesSync(next, 1_700_000_000, 1_700_000_000);
    renameSync(next, paths.prd);
    expect(await one(f, "alpha")).toMatchObject({ stories_done: 2, status: "complete" });
  });

  it("a removed prd.json, a new iteration log and a removed folder all show on the next call", async () => {
    const f = await fixture();
    const paths = await addWorkspace(f, "alpha", [{ passes: true }]);
    await addWorkspace(f, "beta");
    expect(await one(f, "alpha")).toMatchObject({ has_prd: true, status: "complete", last_iteration_at: null });

    await mkdir(paths.logs);
    await writeFile(join(paths.logs, "iteration-1.log"), "started\n");
    utimesSync(join(paths.logs, "iteration-1.log"), 1_700_000_000, 1_700_000_000);
    expect((await one(f, "alpha")).last_iteration_at).toBe(new Date(1_700_000_000_000).toISOString());
    await writeFile(join(paths.logs, "iteration-2.log"), "next\n");
    utimesSync(join(paths.logs, "iteration-2.log"), 1_700_000_500, 1_700_000_500);
    expect((await one(f, "alpha")).last_iteration_at).toBe(new Date(1_700_000_500_000).toISOString());

    rmSync(paths.prd);
    expect(await one(f, "alpha")).toMatchObject({ has_prd: false, stories_total: 0, status: "idle" });
    rmSync(join(f.workspaceDir, "beta"), { recursive: true });
    expect((await list(f)).map((project) => project.slug)).toEqual(["alpha"]);
  });

  it("a store change shows on the next call (status and version)", async () => {
    const f = await fixture();
    await addWorkspace(f, "alpha", [{ passes: false }]);
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    expect(await one(f, "alpha")).toMatchObject({ status: "pending" });
    await f.lifecycle.approve("alpha");
    const result = await f.lister.list();
    expect(result.ok && result.list.version).toBe(2);
    expect(await one(f, "alpha")).toMatchObject({ status: "approved" });
  });

  it("an iteration log Ralph keeps appending to moves last_iteration_at (like the seed's max mtime of the logs)", async () => {
    const f = await fixture();
    const paths = await addWorkspace(f, "alpha", [{ passes: false }]);
    await mkdir(paths.logs);
    const log = join(paths.logs, "iteration-1.log");
    await writeFile(log, "iteration 1 started\n");
    utimesSync(log, 1_700_000_000, 1_700_000_000);
    utimesSync(paths.logs, 1_700_000_000, 1_700_000_000);
    expect((await one(f, "alpha")).last_iteration_at).toBe(new Date(1_700_000_000_000).toISOString());

    // Ralph writes more output into the running iteration's log: the folder itself does not change.
    appendFileSync(log, "story US-1 done\n");
    utimesSync(log, 1_700_000_900, 1_700_000_900);
    expect((await one(f, "alpha")).last_iteration_at).toBe(new Date(1_700_000_900_000).toISOString());
  });
});

/** Re-checks `check` every 25 ms until it holds or `timeoutMs` passes; resolves with its last answer. */
async function waitUntilAsync(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe("a warm list served from the change watcher's state", () => {
  const planbot = join(fileURLToPath(new URL("../..", import.meta.url)), "bin", "planbot");

  async function watched(f: Fixture): Promise<ChangeWatcher> {
    const watcher = createChangeWatcher({
      store: f.store,
      lister: f.lister,
      clock,
      dataDir: join(f.root, "data"),
      workspaceDir: f.workspaceDir,
    });
    watchers.push(watcher);
    await watcher.start();
    return watcher;
  }

  /** Another process: planbot's own CLI on the same data and workspace folders. */
  async function otherProcess(f: Fixture, args: string[]): Promise<void> {
    const result = await execa("node", [planbot, ...args], {
      reject: false,
      env: { PLANBOT_DATA_DIR: join(f.root, "data"), PLANBOT_WORKSPACE_DIR: f.workspaceDir },
    });
    expect(result.exitCode, result.stderr).toBe(0);
  }

  /** Another process writing a file (a Ralph loop, an editor). */
  async function otherProcessWrites(path: string, text: string): Promise<void> {
    await execa("node", ["-e", "require('node:fs').writeFileSync(process.argv[1], process.argv[2])", path, text]);
  }

  it("reflects store changes made by another process on the very next call, and workspace changes once their file event arrives", {
    timeout: 60_000,
  }, async () => {
    const f = await fixture();
    await addWorkspace(f, "alpha", [{ passes: false }]);
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    const watcher = await watched(f);
    const first = await f.lister.list();
    expect(first.ok && first.list.projects.map((p) => [p.slug, p.status])).toEqual([["alpha", "pending"]]);
    expect(first.ok && first.list.projects).toEqual(watcher.current().list.projects);

    // The store: no waiting, the warm call itself notices the file changed.
    await otherProcess(f, ["projects", "approve", "alpha"]);
    const approved = await f.lister.list();
    expect(approved.ok && approved.list.version).toBe(2);
    expect(approved.ok && approved.list.projects[0]).toMatchObject({ slug: "alpha", status: "approved" });
    await otherProcess(f, ["projects", "propose", "beta", "Beta, store only"]);
    expect((await list(f)).map((p) => [p.slug, p.status, p.has_workspace])).toEqual([
      ["alpha", "approved", true],
      ["beta", "pending", false],
    ]);

    // A workspace: a prd.json rewritten, a new project folder, a folder removed, all by other processes.
    await otherProcessWrites(
      workspacePaths(f.workspaceDir, "alpha").prd,
      prdText("alpha", [{ passes: true }, { passes: false }, { passes: false }]),
    );
    expect(await waitUntilAsync(async () => (await one(f, "alpha")).stories_total === 3, 20_000)).toBe(true);
    expect(await one(f, "alpha")).toMatchObject({ stories_done: 1, has_prd: true });
    await execa("node", [
      "-e",
      "require('node:fs').mkdirSync(process.argv[1], { recursive: true })",
      workspacePaths(f.workspaceDir, "gamma").ralph,
    ]);
    await otherProcessWrites(workspacePaths(f.workspaceDir, "gamma").prd, prdText("gamma", [{ passes: true }]));
    expect(
      await waitUntilAsync(async () => (await list(f)).some((p) => p.slug === "gamma" && p.stories_done === 1), 20_000),
    ).toBe(true);
    await execa("node", [
      "-e",
      "require('node:fs').rmSync(process.argv[1], { recursive: true })",
      join(f.workspaceDir, "gamma"),
    ]);
    expect(await waitUntilAsync(async () => !(await list(f)).some((p) => p.slug === "gamma"), 20_000)).toBe(true);

    // Whatever the warm path served matches a full rebuild from the files.
    const served = await f.lister.list();
    const rebuilt = await f.lister.build();
    expect(served.ok && served.list.projects).toEqual(rebuilt.ok && rebuilt.list.projects);
    expect(served.ok && served.list.version).toBe(rebuilt.ok && rebuilt.list.version);
  });

  it("a mutation made in this process shows on the next call, before any debounce fired", async () => {
    const f = await fixture();
    await addWorkspace(f, "alpha", [{ passes: false }]);
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    await watched(f);
    await f.lister.list();
    await f.lifecycle.approve("alpha");
    expect(await one(f, "alpha")).toMatchObject({ status: "approved" });
    await f.lifecycle.update("alpha", (entry) => void (entry.error = "exit 2"));
    expect(await one(f, "alpha")).toMatchObject({ error_reason: "exit 2" });
  });

  it("once the watcher stops, the list is rebuilt from the files again", async () => {
    const f = await fixture();
    await addWorkspace(f, "alpha", [{ passes: false }]);
    const watcher = await watched(f);
    await f.lister.list();
    await watcher.stop();
    writeFileSync(workspacePaths(f.workspaceDir, "alpha").prd, prdText("alpha", [{ passes: true }, { passes: true }]));
    expect(await one(f, "alpha")).toMatchObject({ stories_total: 2, stories_done: 2 });
  });
});
