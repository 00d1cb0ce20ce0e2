/**
 * Issue 14's planner attacks through the dashboard's real HTTP entry points and the fake CLI:
 * a stop racing a slow final turn, an admin cancel during a turn, shutdown during a hanging turn, a
 * forged planner session id — plus a first turn that fails (`planning_start_failed`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionsFile } from "../../src/planning/session-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";
import { alive, waitUntil } from "../helpers/processes.ts";

// Only the final-plan turns of the fake planner are slow in this file (its environment is per worker).
process.env.CLAUDE_FAKE_SLOW_FINALIZE_MS = "60000";

afterEach(stopHarnesses);

const post = (harness: Harness, path: string, body: unknown = {}) => harness.call("POST", path, { body });

/** The pids of the planner processes planbot records as running. */
function runningPlanners(harness: Harness): number[] {
  const folder = join(harness.dir, "sessions", "planners");
  return existsSync(folder) ? readdirSync(folder).map((name) => Number(name.replace(".json", ""))) : [];
}

async function storeStatus(harness: Harness, slug: string): Promise<string | undefined> {
  const read = await harness.runtime.core.store.read();
  return read.ok ? ((read.file.projects ?? []).find((entry) => entry.name === slug)?.status ?? undefined) : undefined;
}

/** start → respond → advance → advance: the session is in the stories phase. */
async function toStories(harness: Harness, slug: string) {
  await harness.writeStore([{ name: slug, status: "pending", description: `The ${slug} project.` }], 1);
  expect((await post(harness, `/api/projects/${slug}/plan/start`)).status).toBe(200);
  expect((await post(harness, `/api/projects/${slug}/plan/respond`, { message: "Makers" })).status).toBe(200);
  expect((await post(harness, `/api/projects/${slug}/plan/advance`)).json).toMatchObject({ phase: "design" });
  expect((await post(harness, `/api/projects/${slug}/plan/advance`)).json).toMatchObject({ phase: "stories" });
}

describe("stopping planning while the planner answers", { timeout: 90_000 }, () => {
  it("plan/cancel during a slow final turn kills the planner; the plan is never written, approved or delivered", async () => {
    const harness = await startHarness();
    await toStories(harness, "race");
    const final = post(harness, "/api/projects/race/plan/advance");
    expect(await waitUntil(() => runningPlanners(harness).length === 1, 20_000)).toBe(true);
    const [pid] = runningPlanners(harness);

    const cancelled = await post(harness, "/api/projects/race/plan/cancel");
    expect(cancelled.json).toMatchObject({ ok: true, cleared: true, status: "pending" });
    const answered = await final;
    expect(answered.status).toBe(404);
    expect(answered.json).toMatchObject({ error: "no_active_session", reason: "aborted" });
    expect(await waitUntil(() => !alive(pid!), 5000)).toBe(true);

    // A /done racing in afterwards cannot approve the stopped project either.
    const finalized = await post(harness, "/api/projects/race/plan/finalize");
    expect(finalized.status).toBe(404);
    const paths = workspacePaths(harness.runtime.config.workspaceDir, "race");
    expect(existsSync(paths.prd)).toBe(false);
    expect(existsSync(paths.finalPlan)).toBe(false);
    expect(await storeStatus(harness, "race")).toBe("pending");
    const history = (await harness.call("GET", "/api/projects/race/plan/transcript")).json.history as {
      text: string;
    }[];
    expect(history.some((entry) => entry.text.includes("final-plan.md"))).toBe(false);
  });

  it("an admin cancel of the project during a turn stops the planner and closes the session", async () => {
    const harness = await startHarness({ watch: true });
    await toStories(harness, "dropped");
    const final = post(harness, "/api/projects/dropped/plan/advance");
    expect(await waitUntil(() => runningPlanners(harness).length === 1, 20_000)).toBe(true);
    const [pid] = runningPlanners(harness);
    expect((await harness.runtime.core.lifecycle.cancel("dropped")).ok).toBe(true);
    const answered = await final;
    expect(answered.status).toBe(404);
    expect(await waitUntil(() => !alive(pid!), 5000)).toBe(true);
    expect(await storeStatus(harness, "dropped")).toBe("cancelled");
    expect((await harness.call("GET", "/api/projects/dropped/plan/state")).json).toMatchObject({ status: "expired" });
  });

  it("shutting planbot down stops a hanging dashboard turn (and its children) within the kill grace", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "hang", status: "pending", description: "Hangs." }], 1);
    expect((await post(harness, "/api/projects/hang/plan/start")).status).toBe(200);
    const hanging = post(harness, "/api/projects/hang/plan/respond", { message: "[[fake:hang]] answer" }).catch(
      () => undefined,
    );
    expect(await waitUntil(() => runningPlanners(harness).length === 1, 20_000)).toBe(true);
    const [pid] = runningPlanners(harness);
    const childFile = join(harness.dir, "claude-config", "fake-claude", "hang-child.pid");
    expect(await waitUntil(() => existsSync(childFile), 10_000)).toBe(true);
    const child = Number(readFileSync(childFile, "utf8"));

    await harness.runtime.stop();
    // Bounded: stop() resolved once the turn ended; the planner and the tool it started are gone.
    expect(await waitUntil(() => !alive(pid!) && !alive(child), 3000)).toBe(true);
    expect(runningPlanners(harness)).toEqual([]);
    await hanging;
  });
});

describe("planner failures at the start and stored ids", { timeout: 60_000 }, () => {
  it("a first turn that fails answers 500 planning_start_failed and leaves the project pending", async () => {
    const harness = await startHarness();
    await harness.writeStore(
      [{ name: "nologin", status: "pending", description: "Needs a login [[fake:not-logged-in]]" }],
      1,
    );
    const started = await post(harness, "/api/projects/nologin/plan/start");
    expect(started.status).toBe(500);
    expect(started.json).toMatchObject({ error: "planning_start_failed", reason: "auth" });
    expect(String(started.json.message)).toContain("ANTHROPIC_API_KEY");
    expect(await storeStatus(harness, "nologin")).toBe("pending");
    expect((await harness.call("GET", "/api/projects/nologin/plan/state")).json).toMatchObject({ status: "expired" });
  });

  it("a stored planner session id that is not a UUID is never passed to --resume: a new session is seeded", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "forged", status: "pending", description: "Forged id." }], 1);
    expect((await post(harness, "/api/projects/forged/plan/start")).status).toBe(200);
    const file = join(harness.dir, "sessions", "planning.json");
    const sessions = JSON.parse(await readFile(file, "utf8")) as SessionsFile;
    const key = Object.keys(sessions)[0]!;
    sessions[key]!.session_id = "--help";
    await writeFile(file, JSON.stringify(sessions));

    const answered = await post(harness, "/api/projects/forged/plan/respond", { message: "Web only" });
    expect(answered.status, answered.text).toBe(200);
    const calls = readFileSync(join(harness.dir, "claude-config", "fake-claude", "calls.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { argv: string[]; stdin: string });
    // The new session starts from planbot's record of the conversation, then the new message.
    expect(calls.at(-1)!.stdin).toContain("planbot kept a record");
    expect(calls.at(-1)!.stdin).toContain("Forged id.");
    expect(calls.at(-1)!.stdin).toContain("Web only");
    expect(calls.some((call) => call.argv.includes("--help"))).toBe(false);
    const last = calls.at(-1)!.argv;
    expect(last[last.indexOf("--session-id") + 1]).toMatch(/^[0-9a-f-]{36}$/);
    const stored = (JSON.parse(await readFile(file, "utf8")) as SessionsFile)[key]!;
    expect(stored.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
