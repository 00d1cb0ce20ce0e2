// Planning from the terminal (`planbot chat`, the real child process) a project whose base branch does
// not exist on its remote: one clean sentence naming the branch, not the same name twice nor "..", the
// command that sets the base, and planning that starts once `planbot projects edit` has set it.
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { planningEnv } from "./planning-env.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("planning a project whose base branch is missing", { timeout: 120_000 }, () => {
  it("says which branch is missing once, and leaves the project pending", async () => {
    const cwd = await temp.make("plan-base-");
    const { remote, env } = await planningEnv(cwd);
    const proposed = await runPlanbot(["projects", "propose", "shop", "A shop", "--repo", "app", "--base", "nosuch"], {
      cwd,
      env,
    });
    expect(proposed.exitCode).toBe(0);
    const chat = await runPlanbot(["chat"], { cwd, env, input: "/plan shop\n" });
    expect(chat.exitCode).toBe(0);
    expect(chat.stdout).toContain(
      `Could not start planning shop: Could not get the code of shop for planning: base branch "nosuch" does not exist on ${remote.base}/app; push it or set the project's base. Fix the project's repo or base, or GIT_REMOTE_BASE, then plan again.`,
    );
    // The terminal chat names the chat command that sets the base.
    expect(chat.stdout).toContain("To set the base: /edit shop --base M.");
    expect(chat.stdout).not.toContain("..");
    expect(chat.stdout).not.toContain("neither");
    const shown = await runPlanbot(["projects", "show", "shop"], { cwd, env });
    expect(shown.stdout).toMatch(/^shop: pending/);

    // Fixed in place: the base is set and planning starts, with no cancel and no new proposal.
    const edited = await runPlanbot(["projects", "edit", "shop", "--base", "main"], { cwd, env });
    expect(edited.exitCode).toBe(0);
    expect(edited.stdout).toContain('base: "nosuch" → "main"');
    const again = await runPlanbot(["chat"], { cwd, env, input: "/plan shop\n" });
    expect(again.stdout).toContain("Planning shop");
    expect(again.stdout).not.toContain("Could not start planning");
  });
});
