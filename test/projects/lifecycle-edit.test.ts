// Editing a proposed project's repo, branch, base or description through the lifecycle, on a real store
// file: each field, the no-op that writes nothing, bad names refused per field, and the refusals while
// the project is planned, run (a real live PID), queued or already delivered.
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLifecycle, type Lifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore, TASKS_FILE_NAME, type ProjectStore } from "../../src/projects/project-store.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

const sleepers: ResultPromise[] = [];
afterAll(async () => {
  for (const child of sleepers) child.kill("SIGKILL");
  await Promise.all(sleepers);
});

interface Fixture {
  dataDir: string;
  store: ProjectStore;
  lifecycle: Lifecycle;
}

async function fixture(): Promise<Fixture> {
  const root = await temp.make("edit-");
  const dataDir = join(root, "data");
  const clock = { now: () => new Date("2026-01-01T00:00:00.000Z") };
  const store = createProjectStore({ dataDir, clock });
  return { dataDir, store, lifecycle: createLifecycle({ store, clock, workspaceDir: join(root, "workspace") }) };
}

async function stored(f: Fixture, slug: string): Promise<ProjectEntry & Record<string, unknown>> {
  const file = JSON.parse(await readFile(join(f.dataDir, TASKS_FILE_NAME), "utf8")) as { projects: ProjectEntry[] };
  return file.projects.find((entry) => entry.name === slug)! as ProjectEntry & Record<string, unknown>;
}

async function proposed(f: Fixture): Promise<void> {
  const result = await f.lifecycle.propose({
    slug: "shop",
    description: "A shop",
    repo: "wrong-repo",
    branch: "feat/old",
    base: "nosuch",
  });
  expect(result.ok).toBe(true);
}

/** Sets raw fields on the stored entry, as the planner, executor, queue or delivery would have. */
async function setFields(f: Fixture, fields: Record<string, unknown>): Promise<void> {
  const result = await f.lifecycle.update("shop", (entry) => {
    Object.assign(entry, fields);
  });
  expect(result.ok).toBe(true);
}

describe("lifecycle.edit", () => {
  it("changes each field and reports old → new", async () => {
    const f = await fixture();
    await proposed(f);
    const result = await f.lifecycle.edit("shop", {
      repo: "team/shop",
      branch: "feat/new",
      base: "develop",
      description: "  A better shop  ",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changes).toEqual([
      { field: "repo", from: "wrong-repo", to: "team/shop" },
      { field: "branch", from: "feat/old", to: "feat/new" },
      { field: "base", from: "nosuch", to: "develop" },
      { field: "description", from: "A shop", to: "A better shop" },
    ]);
    const entry = await stored(f, "shop");
    expect(entry).toMatchObject({
      repo: "team/shop",
      branch: "feat/new",
      base_branch: "develop",
      description: "A better shop",
      status: "pending",
    });
    expect(result.version).toBe(2);
  });

  it("changes one field alone and leaves the others", async () => {
    const f = await fixture();
    await proposed(f);
    const result = await f.lifecycle.edit("SHOP", { base: "main" });
    expect(result.ok && result.changes).toEqual([{ field: "base", from: "nosuch", to: "main" }]);
    expect(await stored(f, "shop")).toMatchObject({ repo: "wrong-repo", branch: "feat/old", base_branch: "main" });
  });

  it("answers a no-op edit without writing the store", async () => {
    const f = await fixture();
    await proposed(f);
    const path = join(f.dataDir, TASKS_FILE_NAME);
    const before = await readFile(path, "utf8");
    const modified = (await stat(path)).mtimeMs;
    const writes = f.store.localWrites();
    const result = await f.lifecycle.edit("shop", { repo: "wrong-repo", base: "nosuch", description: "A shop " });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changes).toEqual([]);
    expect(result.version).toBe(1);
    expect(f.store.localWrites()).toBe(writes);
    expect(await readFile(path, "utf8")).toBe(before);
    expect((await stat(path)).mtimeMs).toBe(modified);
  });

  it("refuses an edit that names nothing", async () => {
    const f = await fixture();
    await proposed(f);
    const result = await f.lifecycle.edit("shop", {});
    expect(result).toMatchObject({ ok: false, code: "usage", details: { reason: "nothing_to_change" } });
  });

  it("refuses bad repo and branch names, naming the field and what is allowed, and stores nothing", async () => {
    const f = await fixture();
    await proposed(f);
    const result = await f.lifecycle.edit("shop", { repo: "../etc", branch: "--upload-pack=x", base: "a..b" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("validation_failed");
    expect(result.fields?.repo).toMatch(/^repo "\.\.\/etc" is not valid: use name or owner\/name made of letters/);
    expect(result.fields?.branch).toMatch(
      /^branch "--upload-pack=x" is not a valid git branch name: it starts with "-"/,
    );
    expect(result.fields?.base_branch).toMatch(
      /^base branch "a\.\.b" is not a valid git branch name: it contains "\.\."/,
    );
    expect(await stored(f, "shop")).toMatchObject({ repo: "wrong-repo", branch: "feat/old", base_branch: "nosuch" });
  });

  it("refuses a bidirectional control in a description", async () => {
    const f = await fixture();
    await proposed(f);
    const result = await f.lifecycle.edit("shop", { description: "A \u202eshop" });
    expect(result).toMatchObject({ ok: false, code: "validation_failed" });
    expect(!result.ok && result.fields?.description).toContain("U+202E");
  });

  it("answers not_found for an unknown slug and invalid_slug for a bad one", async () => {
    const f = await fixture();
    await proposed(f);
    expect(await f.lifecycle.edit("nope", { base: "main" })).toMatchObject({
      ok: false,
      code: "not_found",
      details: { slug: "nope", next: "list" },
    });
    expect(await f.lifecycle.edit("no way", { base: "main" })).toMatchObject({ ok: false, code: "invalid_slug" });
  });

  it("refuses while the project is being planned", async () => {
    const f = await fixture();
    await proposed(f);
    const planning = await f.lifecycle.startPlanning("shop", {});
    expect(planning.ok).toBe(true);
    const result = await f.lifecycle.edit("shop", { base: "main" });
    expect(result).toMatchObject({
      ok: false,
      code: "invalid_state",
      details: { slug: "shop", reason: "planning" },
    });
    expect(!result.ok && result.message).toContain("being planned right now");
    expect((await stored(f, "shop")).base_branch).toBe("nosuch");
  });

  it("refuses while Ralph's recorded PID is alive, and accepts once it has ended", async () => {
    const f = await fixture();
    await proposed(f);
    const child = execa("sleep", ["30"], { reject: false, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    sleepers.push(child);
    await setFields(f, { status: "approved", pid: child.pid });
    const refused = await f.lifecycle.edit("shop", { branch: "feat/new" });
    expect(refused).toMatchObject({ ok: false, code: "invalid_state", details: { reason: "running" } });
    expect(!refused.ok && refused.message).toContain(`(PID ${child.pid})`);
    child.kill("SIGKILL");
    await child;
    const accepted = await f.lifecycle.edit("shop", { branch: "feat/new" });
    expect(accepted.ok).toBe(true);
  });

  it("refuses while a run waits in the queue or runs on a worker", async () => {
    const f = await fixture();
    await proposed(f);
    await setFields(f, { status: "approved", queue_run: { job_id: "j1", state: "queued" } });
    expect(await f.lifecycle.edit("shop", { base: "main" })).toMatchObject({ details: { reason: "queued" } });
    await setFields(f, { status: "running", queue_run: { job_id: "j1", state: "running" } });
    expect(await f.lifecycle.edit("shop", { base: "main" })).toMatchObject({ details: { reason: "running" } });
  });

  it("refuses while a live process prepares its run", async () => {
    const f = await fixture();
    await proposed(f);
    await setFields(f, {
      status: "approved",
      executor_claim: { pid: process.pid, token: "abc", since: "2026-01-01T00:00:00.000Z" },
    });
    expect(await f.lifecycle.edit("shop", { base: "main" })).toMatchObject({ details: { reason: "preparing" } });
  });

  it("after a push refuses a new repo or branch but still takes a base or description", async () => {
    const f = await fixture();
    await proposed(f);
    await setFields(f, {
      status: "failed",
      delivery: { at: "2026-01-01T00:00:00.000Z", ok: true, pushed: true, branch: "feat/old", summary: "pushed" },
      pull_request: { url: "https://github.example/team/shop/pull/7", number: 7, updated_at: "2026-01-01" },
    });
    const refused = await f.lifecycle.edit("shop", { repo: "other", base: "main" });
    expect(refused).toMatchObject({
      ok: false,
      code: "invalid_state",
      details: { slug: "shop", reason: "delivered", fields: ["repo"] },
    });
    expect(!refused.ok && refused.message).toContain("pushed to branch feat/old, with pull request #7");
    expect((await stored(f, "shop")).base_branch).toBe("nosuch");
    const base = await f.lifecycle.edit("shop", { base: "main", description: "A shop, fixed" });
    expect(base.ok && base.changes.map((change) => change.field)).toEqual(["base", "description"]);
  });

  it("names the workspace when the repo changed but it still holds a clone of the old one", async () => {
    const f = await fixture();
    await proposed(f);
    const branchOnly = await f.lifecycle.edit("shop", { branch: "feat/x" });
    expect(branchOnly.ok && branchOnly.oldClone).toBeNull();
    const root = join(f.dataDir, "..", "workspace", "shop");
    await mkdir(join(root, ".git"), { recursive: true });
    const withClone = await f.lifecycle.edit("shop", { repo: "team/shop" });
    expect(withClone.ok && withClone.oldClone).toBe(root);
    const base = await f.lifecycle.edit("shop", { base: "main" });
    expect(base.ok && base.oldClone).toBeNull();
  });

  it("keeps the fields other tools wrote", async () => {
    const f = await fixture();
    await proposed(f);
    await setFields(f, { custom_tool_field: { kept: 1.0 } });
    await f.lifecycle.edit("shop", { base: "main" });
    expect((await stored(f, "shop")).custom_tool_field).toEqual({ kept: 1 });
  });
});
