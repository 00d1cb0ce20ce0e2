// Hostile text through the dashboard's real HTTP API (runtime, stores and the fake Claude CLI as planner):
// the forged big-integer marker and other control characters in planner answers, and bidirectional
// controls (Trojan Source) in every field a user names. Each is refused with a message naming the field
// and the character; nothing stored changes and the planning session keeps working.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses, type Harness } from "./harness.ts";

afterEach(stopHarnesses);

const post = (harness: Harness, path: string, body: unknown = {}) => harness.call("POST", path, { body });

describe("planner answers from the dashboard", () => {
  it("an answer spelling the old big-integer marker is refused; planning.json stays readable for every later call", async () => {
    const harness = await startHarness();
    await harness.writeStore(
      [
        { name: "alpha", status: "pending" },
        { name: "beta", status: "pending" },
      ],
      1,
    );
    expect((await post(harness, "/api/projects/alpha/plan/start")).status).toBe(200);
    const planningFile = join(harness.dir, "sessions", "planning.json");
    const before = await readFile(planningFile, "utf8");

    const forged = await post(harness, "/api/projects/alpha/plan/respond", { message: "\u0000planbot-int:123" });
    expect(forged.status).toBe(400);
    expect(forged.json).toMatchObject({
      error: "validation_failed",
      fields: { answer: expect.stringMatching(/^answer contains control characters/) },
    });
    expect(await readFile(planningFile, "utf8")).toBe(before);

    // Every planning call, for this project and another, still works.
    expect((await harness.call("GET", "/api/projects/alpha/plan/state")).status).toBe(200);
    const answered = await post(harness, "/api/projects/alpha/plan/respond", { message: "Web only, one user." });
    expect(answered.status, answered.text).toBe(200);
    expect((await post(harness, "/api/projects/beta/plan/start")).status).toBe(200);
    const transcript = await harness.call("GET", "/api/projects/alpha/plan/transcript");
    expect(transcript.text).not.toContain("planbot-int");
  });

  it("an answer with a bidirectional override is refused, naming the character", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "alpha", status: "pending" }], 1);
    expect((await post(harness, "/api/projects/alpha/plan/start")).status).toBe(200);
    const refused = await post(harness, "/api/projects/alpha/plan/respond", {
      message: "use branch main\u2066 evil\u2069",
    });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/^answer contains the invisible character U\+2066 \(LEFT-TO-RIGHT ISOLATE\)/);
  });
});

describe("bidirectional controls in what a user names", () => {
  it.each([
    [
      "branch",
      { branch: "feat/\u202etxt.exe" },
      /^branch contains the invisible character U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 6/,
    ],
    [
      "base_branch",
      { base_branch: "main\u200f" },
      /^base branch contains the invisible character U\+200F \(RIGHT-TO-LEFT MARK\)/,
    ],
    [
      "description",
      { description: "Harmless \u202aembedded\u202c" },
      /^description contains the invisible character U\+202A/,
    ],
    ["repo", { repo: "team/\u2067todo" }, /^repo contains the invisible character U\+2067/],
    ["slug", { slug: "app\u200e" }, /^slug contains the invisible character U\+200E \(LEFT-TO-RIGHT MARK\)/],
  ])("propose with one in %s is refused and nothing is stored", async (field, override, message) => {
    const harness = await startHarness();
    await harness.writeStore([], 1);
    const before = await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8");
    const refused = await post(harness, "/api/projects/propose", {
      slug: "app",
      description: "A todo app.",
      ...override,
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe("validation_failed");
    expect(refused.json.fields).toHaveProperty(field);
    expect(refused.json.message).toMatch(message);
    // The refusal never echoes the character itself.
    expect(refused.text).not.toMatch(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")).toBe(before);
  });
});
