// The plan/* endpoints over the real planning service and the fake Claude CLI: a whole conversation
// from the dashboard, the approval guard with force, and stopping a session.
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses, type Harness } from "./harness.ts";

afterEach(stopHarnesses);

async function post(harness: Harness, path: string, body: unknown = {}) {
  return harness.call("POST", path, { body });
}

describe("planning from the dashboard", () => {
  it("start → respond → advance ×3 → finalize, with state and transcript along the way", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app with reminders." }], 1);

    const started = await post(harness, "/api/projects/alpha/plan/start", {});
    expect(started.status, started.text).toBe(200);
    expect(started.json).toMatchObject({ ok: true, slug: "alpha", phase: "clarify" });
    expect(started.json.session_id).toEqual(expect.any(String));
    expect(started.json.message).toMatch(/\?/);

    const state = await harness.call("GET", "/api/projects/alpha/plan/state");
    expect(state.json).toMatchObject({
      slug: "alpha",
      status: "active",
      phase: "clarify",
      phases_planned: ["clarify", "design", "stories"],
      pending_response: false,
    });
    for (const key of [
      "since",
      "updated_at",
      "session_id",
      "planning_session_id",
      "last_text_excerpt",
      "final_plan_path",
      "phases_completed",
    ])
      expect(state.json).toHaveProperty(key);

    const answered = await post(harness, "/api/projects/alpha/plan/respond", { message: "Web only, one user." });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json).toMatchObject({ ok: true, slug: "alpha", phase: "clarify", phase_ready: true });
    expect(answered.json.message).toContain("Web only, one user.");

    const design = await post(harness, "/api/projects/alpha/plan/advance");
    expect(design.json).toMatchObject({ ok: true, slug: "alpha", phase: "design", completed: false });
    expect((await post(harness, "/api/projects/alpha/plan/advance")).json).toMatchObject({
      phase: "stories",
      completed: false,
    });
    const written = await post(harness, "/api/projects/alpha/plan/advance");
    expect(written.json).toMatchObject({ ok: true, phase: "__complete__", completed: true });
    expect((await harness.call("GET", "/api/projects/alpha/plan/state")).json).toMatchObject({ status: "complete" });

    const transcript = await harness.call("GET", "/api/projects/alpha/plan/transcript");
    expect(transcript.status).toBe(200);
    const history = transcript.json.history as Array<{ role: string; text: string }>;
    expect(history.some((entry) => entry.role === "user" && entry.text.includes("Web only, one user."))).toBe(true);
    expect(history.some((entry) => entry.role === "assistant")).toBe(true);
    expect(transcript.json.final_plan).toEqual(expect.stringContaining("#"));
    expect(transcript.json.final_plan_path).toMatch(/final-plan\.md$/);

    const finalized = await post(harness, "/api/projects/alpha/plan/finalize");
    expect(finalized.status, finalized.text).toBe(200);
    expect(finalized.json).toMatchObject({ ok: true, slug: "alpha", status: "approved" });
    expect(await readFile(finalized.json.final_plan_path as string, "utf8")).toBe(transcript.json.final_plan);
    expect((await harness.call("GET", "/api/projects/alpha/plan/state")).json).toMatchObject({
      status: "expired",
      phase: null,
    });
    const list = await harness.call("GET", "/api/projects");
    expect((list.json.projects as Array<{ slug: string; status: string }>)[0]).toMatchObject({
      slug: "alpha",
      status: "approved",
    });
  });

  it("the approval guard refuses a committed project, and force=true re-plans it", async () => {
    const harness = await startHarness();
    await harness.writeStore(
      [{ name: "beta", status: "approved", extra: { final_plan_path: "/plans/beta/final-plan.md" } }],
      2,
    );
    const refused = await post(harness, "/api/projects/beta/plan/start", { description: "Again." });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: "already_committed", slug: "beta", status: "approved" });
    expect(refused.json.message).toMatch(/force/);

    const forced = await post(harness, "/api/projects/beta/plan/start", { force: true });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.json).toMatchObject({ ok: true, slug: "beta", phase: "clarify" });
    const list = await harness.call("GET", "/api/projects");
    expect((list.json.projects as Array<{ status: string }>)[0]!.status).toBe("planning");
  });

  it("plan/cancel stops an open session and puts the project back to pending", async () => {
    const harness = await startHarness();
    const started = await post(harness, "/api/projects/gamma/plan/start", { description: "A brand new project." });
    expect(started.status, started.text).toBe(200);
    const cancelled = await post(harness, "/api/projects/gamma/plan/cancel");
    expect(cancelled.json).toMatchObject({ ok: true, slug: "gamma", cleared: true, status: "pending" });
    expect((await post(harness, "/api/projects/gamma/plan/respond", { message: "still there?" })).status).toBe(404);
  });

  it("starting twice from the dashboard is refused while the first session is open", async () => {
    const harness = await startHarness();
    expect((await post(harness, "/api/projects/delta/plan/start", { description: "Delta." })).status).toBe(200);
    const again = await post(harness, "/api/projects/delta/plan/start", { description: "Delta." });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: "invalid_state" });
  });
});
