// `POST /api/projects/<slug>/edit` on a real dashboard over a real store: the changes with old → new,
// If-Match, the no-op, bad names per field, an unknown slug, and the refusal while planned.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses } from "./harness.ts";

afterEach(stopHarnesses);

const shop = {
  name: "shop",
  status: "pending",
  description: "A shop",
  extra: { repo: "wrong", branch: "feat/old", base_branch: "nosuch" },
};

describe("POST /api/projects/<slug>/edit", () => {
  it("changes the given fields, leaves empty ones alone and answers old → new", async () => {
    const harness = await startHarness();
    await harness.writeStore([shop], 4);
    const edited = await harness.call("POST", "/api/projects/shop/edit", {
      body: { repo: "team/shop", branch: "", base_branch: "main", description: "A shop for tea" },
      headers: { "If-Match": "4" },
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toEqual({
      ok: true,
      slug: "shop",
      version: 5,
      changed: true,
      changes: [
        { field: "repo", from: "wrong", to: "team/shop" },
        { field: "base", from: "nosuch", to: "main" },
        { field: "description", from: "A shop", to: "A shop for tea" },
      ],
      repo: "team/shop",
      branch: "feat/old",
      base_branch: "main",
      description: "A shop for tea",
      old_clone: null,
    });
    const stale = await harness.call("POST", "/api/projects/shop/edit", {
      body: { base_branch: "develop" },
      headers: { "If-Match": "4" },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: "stale", current_version: 5 });

    const before = await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8");
    const same = await harness.call("POST", "/api/projects/shop/edit", { body: { base_branch: "main" } });
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ changed: false, changes: [], version: 5 });
    expect(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")).toBe(before);
  });

  it("refuses bad names per field, an empty edit, an unknown slug and a project being planned", async () => {
    const harness = await startHarness();
    await harness.writeStore([shop, { name: "busy", status: "planning", extra: { planning_session_id: "s-1" } }], 1);
    const bad = await harness.call("POST", "/api/projects/shop/edit", {
      body: { repo: "-x", branch: "a b", base_branch: 7 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: "validation_failed", fields: { base_branch: "base_branch must be a string" } });
    const names = await harness.call("POST", "/api/projects/shop/edit", { body: { repo: "-x", branch: "a b" } });
    expect(names.status).toBe(400);
    expect(names.json.fields).toEqual({
      repo: 'repo "-x" is not valid: use name or owner/name made of letters, digits, ".", "_" and "-", not starting with "-" or ".".',
      branch:
        'branch "a b" is not a valid git branch name: it contains spaces or control characters; use a name such as feat/reminders.',
    });
    const empty = await harness.call("POST", "/api/projects/shop/edit", { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ error: "usage", reason: "nothing_to_change" });
    const unknown = await harness.call("POST", "/api/projects/nope/edit", { body: { base_branch: "main" } });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: "not_found", slug: "nope" });
    const busy = await harness.call("POST", "/api/projects/busy/edit", { body: { base_branch: "main" } });
    expect(busy.status).toBe(409);
    expect(busy.json).toMatchObject({ error: "invalid_state", reason: "planning", slug: "busy" });
    expect(busy.json.message).toContain('"busy" is being planned right now');
  });
});
