// The dashboard's workspace endpoints over real files: the written plan, prd.json as stories, the run
// logs with a tail and earlier runs, and links out of the workspace refused rather than followed.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses, type Harness } from "./harness.ts";

afterEach(stopHarnesses);

function paths(harness: Harness, slug: string) {
  return workspacePaths(harness.runtime.config.workspaceDir, slug);
}

describe("workspace endpoints", () => {
  it("plan/document returns final-plan.md, and 404 names what is missing", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "alpha", status: "approved" }], 1);
    const missing = await harness.call("GET", "/api/projects/alpha/plan/document");
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: "no_plan" });
    await mkdir(paths(harness, "alpha").ralph, { recursive: true });
    await writeFile(paths(harness, "alpha").finalPlan, "# Plan\n\nDo it.\n");
    const found = await harness.call("GET", "/api/projects/ALPHA/plan/document");
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ slug: "alpha", text: "# Plan\n\nDo it.\n", truncated: false });
    expect((await harness.call("GET", "/api/projects/no%20such/plan/document")).status).toBe(400);
  });

  it("prd lists the stories with their state, and says so when prd.json is not JSON", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "beta", status: "approved" }], 1);
    await harness.writePrd("beta", 3, 1);
    const prd = await harness.call("GET", "/api/projects/beta/prd");
    expect(prd.status).toBe(200);
    // Ralph's own prd.json comes without final-plan.md: the answer says so, and the page does not ask for it.
    expect(prd.json).toMatchObject({ slug: "beta", branch: "ralph/beta", done: 1, total: 3, has_plan: false });
    expect(
      (prd.json.stories as Array<{ id: string; passes: boolean }>).map((story) => [story.id, story.passes]),
    ).toEqual([
      ["US-1", true],
      ["US-2", false],
      ["US-3", false],
    ]);
    await writeFile(paths(harness, "beta").finalPlan, "# Plan\n");
    expect((await harness.call("GET", "/api/projects/beta/prd")).json).toMatchObject({ has_plan: true });
    await writeFile(paths(harness, "beta").prd, "{ not json");
    const broken = await harness.call("GET", "/api/projects/beta/prd");
    expect(broken.status).toBe(422);
    expect(broken.json).toMatchObject({ error: "prd_invalid" });
  });

  it("run/log tails the newest run log, lists the earlier runs and opens one by name", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "gamma", status: "approved" }], 1);
    expect((await harness.call("GET", "/api/projects/gamma/run/log")).json).toMatchObject({ file: null, runs: [] });
    const logs = paths(harness, "gamma").logs;
    await mkdir(logs, { recursive: true });
    await writeFile(join(logs, "ralph-2026-01-01T00-00-00-000Z.log"), "old run\n");
    await writeFile(
      join(logs, "ralph-2026-01-02T00-00-00-000Z.log"),
      Array.from({ length: 50 }, (_, index) => `line ${index + 1}`).join("\n") + "\n",
    );
    await writeFile(join(logs, "iteration-1.log"), "not a run log");
    const newest = await harness.call("GET", "/api/projects/gamma/run/log?tail=3");
    expect(newest.status).toBe(200);
    expect(newest.json).toMatchObject({
      file: "ralph-2026-01-02T00-00-00-000Z.log",
      text: "line 48\nline 49\nline 50",
    });
    expect((newest.json.runs as Array<{ file: string }>).map((run) => run.file)).toEqual([
      "ralph-2026-01-02T00-00-00-000Z.log",
      "ralph-2026-01-01T00-00-00-000Z.log",
    ]);
    const old = await harness.call("GET", "/api/projects/gamma/run/log?run=ralph-2026-01-01T00-00-00-000Z.log");
    expect(old.json).toMatchObject({ text: "old run" });
    expect((await harness.call("GET", "/api/projects/gamma/run/log?run=..%2F..%2Fprd.json")).status).toBe(404);
    const badTail = await harness.call("GET", "/api/projects/gamma/run/log?tail=lots");
    expect(badTail.status).toBe(400);
    expect(badTail.json).toMatchObject({ error: "invalid_tail" });
  });

  it("never follows a symlink out of the workspace", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "delta", status: "approved" }], 1);
    const secret = join(harness.dir, "secret.txt");
    await writeFile(secret, "TOP SECRET");
    const ralph = paths(harness, "delta").ralph;
    await mkdir(join(ralph, "logs"), { recursive: true });
    await symlink(secret, paths(harness, "delta").finalPlan);
    await symlink(secret, join(ralph, "logs", "ralph-2026-01-01T00-00-00-000Z.log"));
    const plan = await harness.call("GET", "/api/projects/delta/plan/document");
    expect(plan.status).toBe(403);
    expect(plan.json).toMatchObject({ error: "refused" });
    expect(plan.text).not.toContain("TOP SECRET");
    const log = await harness.call("GET", "/api/projects/delta/run/log");
    expect(log.json).toMatchObject({ file: null, runs: [] });
    // The whole workspace folder being a link elsewhere is refused too.
    await mkdir(join(harness.dir, "elsewhere", "scripts", "ralph"), { recursive: true });
    await writeFile(join(harness.dir, "elsewhere", "scripts", "ralph", "final-plan.md"), "TOP SECRET");
    await symlink(join(harness.dir, "elsewhere"), paths(harness, "eps").root);
    const outside = await harness.call("GET", "/api/projects/eps/plan/document");
    expect(outside.status).toBe(403);
    expect(outside.text).not.toContain("TOP SECRET");
  });

  it("POST run refuses a project that is not approved, with the executor's reason", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "zeta", status: "pending" }], 1);
    const refused = await harness.call("POST", "/api/projects/zeta/run", { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: "invalid_state" });
    expect(String(refused.json.message)).toMatch(/approved|pending/);
    expect((await harness.call("POST", "/api/projects/nobody/run", { body: {} })).status).toBe(404);
    const crossSite = await harness.call("POST", "/api/projects/zeta/run", {
      body: {},
      headers: { Origin: "http://evil.example" },
    });
    expect(crossSite.status).toBe(403);
  });
});
