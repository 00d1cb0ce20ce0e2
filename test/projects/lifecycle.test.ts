import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/projects/clock.ts";
import { createLifecycle, type Lifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME, type ProjectStore } from "../../src/projects/project-store.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

/** A clock that ticks one second per reading, so each step's timestamp is known. */
function tickingClock(start = Date.parse("2025-03-01T12:00:00.000Z")): Clock {
  let now = start;
  return {
    now: () => {
      const date = new Date(now);
      now += 1000;
      return date;
    },
  };
}

interface Fixture {
  dataDir: string;
  workspaceDir: string;
  store: ProjectStore;
  lifecycle: Lifecycle;
}

async function fixture(): Promise<Fixture> {
  const root = await temp.make("lifecycle-");
  const dataDir = join(root, "data");
  const workspaceDir = join(root, "workspace");
  const clock = tickingClock();
  const store = createProjectStore({ dataDir, clock });
  return { dataDir, workspaceDir, store, lifecycle: createLifecycle({ store, clock, workspaceDir }) };
}

async function entries(f: Fixture): Promise<ProjectEntry[]> {
  return (JSON.parse(await readFile(join(f.dataDir, TASKS_FILE_NAME), "utf8")) as { projects: ProjectEntry[] })
    .projects;
}

async function version(f: Fixture): Promise<number> {
  const read = await f.store.read();
  if (!read.ok) throw new Error(read.message);
  return read.file.version ?? 0;
}

async function writePrd(f: Fixture, slug: string, passes: boolean[]): Promise<void> {
  const paths = workspacePaths(f.workspaceDir, slug);
  await mkdir(paths.ralph, { recursive: true });
  const userStories = passes.map((pass, index) => ({
    id: `US-${index + 1}`,
    title: `Story ${index + 1}`,
    passes: pass,
  }));
  await writeFile(
    paths.prd,
    JSON.stringify({ project: slug, branchName: `ralph/${slug}`, description: "x", userStories }),
  );
}

const sleepers: ResultPromise[] = [];
afterAll(async () => {
  for (const child of sleepers) child.kill("SIGKILL");
  await Promise.all(sleepers);
});

function liveProcess(): number {
  const child = execa("sleep", ["30"], { reject: false, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  sleepers.push(child);
  return child.pid!;
}

describe("propose", () => {
  it("stores a pending entry with the seed's fields, lower-cased slug and trimmed description", async () => {
    const f = await fixture();
    const result = await f.lifecycle.propose({
      slug: "Todo-App",
      description: "  A todo app.  ",
      repo: "team/todo",
      branch: "feature/todo",
      base: "develop",
    });
    const want = {
      name: "todo-app",
      description: "A todo app.",
      status: "pending",
      planning_session_id: null,
      final_plan_path: null,
      repo: "team/todo",
      branch: "feature/todo",
      base_branch: "develop",
      proposed_at: "2025-03-01T12:00:00.000Z",
      approved_at: null,
      started_at: null,
      pid: null,
    };
    expect(result).toEqual({ ok: true, entry: want, version: 1 });
    expect(await entries(f)).toEqual([want]);
    const file = JSON.parse(await readFile(join(f.dataDir, TASKS_FILE_NAME), "utf8"));
    expect(file).toMatchObject({ version: 1, last_updated: "2025-03-01T12:00:01.000Z" });
  });

  it("optional repo/branch/base are stored as null", async () => {
    const f = await fixture();
    const result = await f.lifecycle.propose({ slug: "bare", description: "Bare" });
    expect(result.ok && [result.entry.repo, result.entry.branch, result.entry.base_branch]).toEqual([null, null, null]);
  });

  it.each(["todo-app", "TODO-APP", "Todo-App"])(
    "a duplicate (%s) is duplicate_slug, case-insensitively, and writes nothing",
    async (again) => {
      const f = await fixture();
      await f.lifecycle.propose({ slug: "todo-app", description: "First" });
      const result = await f.lifecycle.propose({ slug: again, description: "Second" });
      expect(result).toMatchObject({
        ok: false,
        code: "duplicate_slug",
        details: { slug: "todo-app", status: "pending" },
      });
      expect(!result.ok && result.message).toContain('"todo-app" already exists');
      expect(await version(f)).toBe(1);
      expect(await entries(f)).toHaveLength(1);
    },
  );

  it("a duplicate of an entry another tool stored in upper case is still a duplicate", async () => {
    const f = await fixture();
    await f.store.mutate((file) => (file.projects.push({ name: "Legacy-App", status: "approved" }), { ok: true }));
    expect(await f.lifecycle.propose({ slug: "legacy-app", description: "Again" })).toMatchObject({
      ok: false,
      code: "duplicate_slug",
    });
  });
});

describe("approve / unapprove / cancel", () => {
  it("approve sets approved, approved_at and clears error; unapprove returns to pending; cancel marks cancelled", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    await f.store.mutate((file) => {
      file.projects[0]!.error = "old failure";
      return { ok: true };
    });
    expect(await f.lifecycle.approve("ALPHA")).toMatchObject({
      ok: true,
      version: 3,
      entry: { name: "alpha", status: "approved", approved_at: "2025-03-01T12:00:03.000Z", error: null },
    });
    expect(await f.lifecycle.unapprove("alpha")).toMatchObject({
      ok: true,
      version: 4,
      entry: { status: "pending", approved_at: null },
    });
    expect(await f.lifecycle.cancel("alpha")).toMatchObject({ ok: true, version: 5, entry: { status: "cancelled" } });
    expect((await entries(f))[0]).toMatchObject({ status: "cancelled" });
  });

  it.each(["approve", "unapprove", "cancel"] as const)("%s of an unknown project is not_found", async (action) => {
    const f = await fixture();
    const result = await f.lifecycle[action]("ghost");
    expect(result).toMatchObject({ ok: false, code: "not_found", details: { slug: "ghost" } });
    expect(await version(f)).toBe(0);
  });

  it("cancel refuses a complete project, saying why and what to do instead, and changes nothing", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "done", description: "Done" });
    await f.lifecycle.propose({ slug: "half", description: "Half" });
    await f.lifecycle.update("done", (entry) => void (entry.status = "complete"));
    await f.lifecycle.update("half", (entry) => void (entry.status = "complete"));
    await writePrd(f, "done", [true, true]);
    await writePrd(f, "half", [true, false]);
    const before = await version(f);
    const refused = await f.lifecycle.cancel("done");
    expect(refused).toMatchObject({ ok: false, code: "invalid_state", details: { slug: "done", status: "complete" } });
    expect(!refused.ok && refused.message).toBe(
      '"done" is complete: all 2 of its stories pass, so there is nothing left to cancel, and nothing was changed. Its branch and plan stay as they are; to build more on it, plan it again.',
    );
    expect(await version(f)).toBe(before);
    expect((await entries(f))[0]).toMatchObject({ name: "done", status: "complete" });
    // Work left (a story that does not pass) is still cancelled.
    expect(await f.lifecycle.cancel("half")).toMatchObject({ ok: true, entry: { status: "cancelled" } });
  });

  it("approve refuses a project whose PID is alive (invalid_state)", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "busy", description: "Busy" });
    const pid = liveProcess();
    await f.lifecycle.update("busy", (entry) => void (entry.pid = pid));
    const result = await f.lifecycle.approve("busy");
    expect(result).toMatchObject({ ok: false, code: "invalid_state" });
    expect(!result.ok && result.message).toContain(String(pid));
  });

  it("expectedVersion: a mismatch is stale with the current version and writes nothing; a match goes through", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    await f.lifecycle.propose({ slug: "beta", description: "Beta" });
    for (const action of ["approve", "unapprove", "cancel"] as const) {
      const stale = await f.lifecycle[action]("alpha", { expectedVersion: 1 });
      expect(stale).toMatchObject({ ok: false, code: "stale", currentVersion: 2 });
      expect(!stale.ok && stale.message).toMatch(/version 2, you had 1/);
    }
    expect(await version(f)).toBe(2);
    expect(await f.lifecycle.approve("alpha", { expectedVersion: 2 })).toMatchObject({ ok: true, version: 3 });
    expect(await f.lifecycle.update("beta", () => undefined, { expectedVersion: 0 })).toMatchObject({
      ok: false,
      code: "stale",
      currentVersion: 3,
    });
  });

  it("stale is checked before not_found, like the seed's If-Match", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    expect(await f.lifecycle.approve("ghost", { expectedVersion: 0 })).toMatchObject({
      ok: false,
      code: "stale",
      currentVersion: 1,
    });
  });
});

describe("startPlanning", () => {
  it("a new slug needs a description; with one it is created in planning", async () => {
    const f = await fixture();
    const missing = await f.lifecycle.startPlanning("fresh", {});
    expect(missing).toMatchObject({
      ok: false,
      code: "invalid_description",
      fields: { description: "description required" },
    });
    expect(await version(f)).toBe(0);
    const created = await f.lifecycle.startPlanning("Fresh", { description: "  A fresh idea  " });
    expect(created).toMatchObject({
      ok: true,
      version: 1,
      entry: { name: "fresh", status: "planning", description: "A fresh idea", pid: null },
    });
  });

  it("a pending or cancelled project moves to planning", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    await f.lifecycle.propose({ slug: "beta", description: "Beta" });
    await f.lifecycle.cancel("beta");
    expect(await f.lifecycle.startPlanning("alpha", {})).toMatchObject({
      ok: true,
      entry: { status: "planning", description: "Alpha" },
    });
    expect(await f.lifecycle.startPlanning("beta", { description: "ignored, it has one" })).toMatchObject({
      ok: true,
      entry: { status: "planning", description: "Beta" },
    });
  });

  it("plans a project approved as is before any plan, without force: there is nothing to replace", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    await f.lifecycle.approve("alpha");
    expect(await f.lifecycle.startPlanning("alpha", {})).toMatchObject({ ok: true, entry: { status: "planning" } });
  });

  it("refuses approved with already_committed unless forced", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    await writePrd(f, "alpha", [false]);
    await f.lifecycle.approve("alpha");
    const refused = await f.lifecycle.startPlanning("alpha", {});
    expect(refused).toMatchObject({
      ok: false,
      code: "already_committed",
      details: { slug: "alpha", status: "approved" },
    });
    expect(!refused.ok && refused.message).toContain("--force");
    expect(await version(f)).toBe(2);
    expect(await f.lifecycle.startPlanning("alpha", { force: true })).toMatchObject({
      ok: true,
      version: 3,
      entry: { status: "planning" },
    });
  });

  it("refuses a project whose PID is alive (running), whatever its status says", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    const pid = liveProcess();
    await f.lifecycle.update("alpha", (entry) => void (entry.pid = pid));
    expect(await f.lifecycle.startPlanning("alpha", {})).toMatchObject({
      ok: false,
      code: "already_committed",
      details: { status: "running" },
    });
    expect(await f.lifecycle.startPlanning("alpha", { force: true })).toMatchObject({
      ok: true,
      entry: { status: "planning" },
    });
  });

  it("refuses a project whose prd.json has every story passing (complete), but not a partial one", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "done", description: "Done" });
    await f.lifecycle.propose({ slug: "half", description: "Half" });
    await writePrd(f, "done", [true, true, true]);
    await writePrd(f, "half", [true, false]);
    expect(await f.lifecycle.startPlanning("done", {})).toMatchObject({
      ok: false,
      code: "already_committed",
      details: { status: "complete" },
    });
    expect(await f.lifecycle.startPlanning("half", {})).toMatchObject({ ok: true, entry: { status: "planning" } });
    expect(await f.lifecycle.startPlanning("done", { force: true })).toMatchObject({
      ok: true,
      entry: { status: "planning" },
    });
  });

  it.each(["running", "complete", "completed", "Approved"])(
    "refuses an entry whose own status is %s",
    async (status) => {
      const f = await fixture();
      // Planned elsewhere (echo-core records where the plan is): an approval with a plan behind it.
      await f.store.mutate(
        (file) => (file.projects.push({ name: "legacy", status, final_plan_path: "/plans/legacy.md" }), { ok: true }),
      );
      const result = await f.lifecycle.startPlanning("legacy", {});
      expect(result).toMatchObject({ ok: false, code: "already_committed" });
      expect(!result.ok && result.details?.status).toBe(status === "completed" ? "complete" : status.toLowerCase());
    },
  );
});

describe("planning steps", () => {
  it("linkPlanningSession records the id; finalize approves with final_plan_path and clears the session", async () => {
    const f = await fixture();
    await f.lifecycle.startPlanning("alpha", { description: "Alpha" });
    expect(await f.lifecycle.linkPlanningSession("alpha", "ps-123")).toMatchObject({
      ok: true,
      entry: { planning_session_id: "ps-123" },
    });
    const planPath = join(f.workspaceDir, "alpha", "scripts", "ralph", "final-plan.md");
    const result = await f.lifecycle.finalize("alpha", planPath);
    expect(result).toMatchObject({
      ok: true,
      version: 3,
      entry: {
        status: "approved",
        final_plan_path: planPath,
        planning_session_id: null,
        approved_at: "2025-03-01T12:00:03.000Z",
        error: null,
      },
    });
    expect((await entries(f))[0]).toMatchObject({ status: "approved", final_plan_path: planPath });
  });

  it("cancelPlanning returns planning to pending, and leaves other statuses alone", async () => {
    const f = await fixture();
    await f.lifecycle.startPlanning("alpha", { description: "Alpha" });
    await f.lifecycle.linkPlanningSession("alpha", "ps-1");
    expect(await f.lifecycle.cancelPlanning("alpha")).toMatchObject({
      ok: true,
      entry: { status: "pending", planning_session_id: null },
    });
    await f.lifecycle.propose({ slug: "beta", description: "Beta" });
    await f.lifecycle.approve("beta");
    expect(await f.lifecycle.cancelPlanning("beta")).toMatchObject({ ok: true, entry: { status: "approved" } });
    expect(await f.lifecycle.cancelPlanning("ghost")).toMatchObject({ ok: false, code: "not_found" });
  });

  it("update applies a change under the lock; a failing change writes nothing", async () => {
    const f = await fixture();
    await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    expect(
      await f.lifecycle.update(
        "alpha",
        (entry) => void Object.assign(entry, { pid: 4242, started_at: "2025-03-02T00:00:00Z" }),
      ),
    ).toMatchObject({
      ok: true,
      version: 2,
      entry: { pid: 4242, started_at: "2025-03-02T00:00:00Z" },
    });
    const refused = await f.lifecycle.update("alpha", (entry) => {
      entry.status = "failed";
      return { ok: false, code: "execute_failed", message: "no" };
    });
    expect(refused).toMatchObject({ ok: false, code: "execute_failed" });
    expect((await entries(f))[0]).toMatchObject({ status: "pending", pid: 4242 });
    expect(await version(f)).toBe(2);
  });

  it("the returned entry is a copy: changing it does not change the store", async () => {
    const f = await fixture();
    const result = await f.lifecycle.propose({ slug: "alpha", description: "Alpha" });
    if (result.ok) result.entry.status = "mutated";
    const read = await f.store.read();
    expect(read.ok && read.file.projects?.[0]?.status).toBe("pending");
  });
});
