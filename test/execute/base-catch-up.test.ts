// When an existing feature branch moves onto its base's new tip before a run (base-catch-up.ts): only while
// it holds nothing but planbot's planning-artifacts commits, was never pushed, has no uncommitted changes,
// and moves cleanly. Real git: a bare remote, a clone as the executor makes one, the real updateExisting.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ARTIFACTS_COMMIT_MESSAGE } from "../../src/execute/artifacts-commit.ts";
import type { RunPlan } from "../../src/execute/run-plan.ts";
import { updateExisting } from "../../src/execute/workspace-branch.ts";
import { gitIn } from "../../src/execute/workspace-git-steps.ts";
import { createBareRemote, fixtureGitEnv, git, pushToRemoteMain, type RemoteFixture } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

const BRANCH = "ralph/shop";

/** A clone of a fresh remote on `ralph/shop` from main, with the planning artifacts committed as planbot does. */
async function refusedWorkspace(): Promise<{ remote: RemoteFixture; root: string; plan: RunPlan }> {
  const parent = await temp.make("catch-up-");
  const remote = await createBareRemote(parent, "shop");
  const root = join(parent, "workspace", "shop");
  await git(parent, ["clone", "--quiet", remote.path, root]);
  await git(root, ["switch", "--quiet", "--no-track", "-c", BRANCH, "origin/main"]);
  await writeFile(join(root, "final-plan.md"), "# Plan\n");
  await git(root, ["add", "final-plan.md"]);
  await git(root, ["commit", "--quiet", "-m", ARTIFACTS_COMMIT_MESSAGE]);
  const plan = { slug: "shop", root, repo: "shop", remoteUrl: remote.path, branch: BRANCH, base: "main" } as RunPlan;
  return { remote, root, plan };
}

/** Pushes a commit to main changing `file`, as the project's owner does between two runs; main's new tip. */
function moveMain(remote: RemoteFixture, file = "src/app.txt", text = "app v3\n"): Promise<string> {
  return pushToRemoteMain(remote, `change ${file}`, async (checkout) => {
    await writeFile(join(checkout, file), text);
    await git(checkout, ["add", file]);
  });
}

async function prepare(plan: RunPlan): Promise<string[]> {
  const steps: string[] = [];
  const outcome = await updateExisting(plan, gitIn(plan.root, fixtureGitEnv()), steps);
  expect(outcome).toEqual({ ok: true });
  return steps;
}

const parentOfHead = (root: string) => git(root, ["rev-parse", "HEAD^"]);

describe("an existing feature branch and a base that moved", () => {
  it("holding only the planning artifacts, it moves onto the new tip, keeping the artifacts on top", async () => {
    const { remote, root, plan } = await refusedWorkspace();
    const newMain = await moveMain(remote);
    const steps = await prepare(plan);
    expect(steps).toContain(`moved branch ${BRANCH} onto origin/main, which changed since the branch was made`);
    expect(await parentOfHead(root)).toBe(newMain);
    expect(await git(root, ["log", "-1", "--format=%s"])).toBe(ARTIFACTS_COMMIT_MESSAGE);
    expect(await git(root, ["show", "HEAD:final-plan.md"])).toBe("# Plan");
  });

  it("with a commit of its own (a story Ralph made), it stays where it is", async () => {
    const { remote, root, plan } = await refusedWorkspace();
    await writeFile(join(root, "story.txt"), "US-1\n");
    await git(root, ["add", "story.txt"]);
    await git(root, ["commit", "--quiet", "-m", "feat: US-1 - Story 1"]);
    const before = await git(root, ["rev-parse", "HEAD"]);
    await moveMain(remote);
    const steps = await prepare(plan);
    expect(await git(root, ["rev-parse", "HEAD"])).toBe(before);
    expect(steps.join("\n")).not.toMatch(/moved branch|kept branch/);
  });

  it("already on the remote, it stays where it is", async () => {
    const { remote, root, plan } = await refusedWorkspace();
    await git(root, ["push", "--quiet", "origin", BRANCH]);
    const before = await git(root, ["rev-parse", "HEAD"]);
    await moveMain(remote);
    await prepare(plan);
    expect(await git(root, ["rev-parse", "HEAD"])).toBe(before);
  });

  it("with uncommitted changes, it stays where it is and the changes stay in the working tree", async () => {
    const { remote, root, plan } = await refusedWorkspace();
    await writeFile(join(root, "final-plan.md"), "# Plan, replanned\n");
    const before = await git(root, ["rev-parse", "HEAD"]);
    await moveMain(remote);
    expect(await prepare(plan)).toContain(`kept branch ${BRANCH} on its earlier base: it has uncommitted changes`);
    expect(await git(root, ["rev-parse", "HEAD"])).toBe(before);
    expect(await git(root, ["status", "--porcelain"])).toBe("M final-plan.md");
  });

  it("when the base changed the same file, the move is undone and the branch is as it was", async () => {
    const { remote, root, plan } = await refusedWorkspace();
    const before = await git(root, ["rev-parse", "HEAD"]);
    await moveMain(remote, "final-plan.md", "# Someone else's plan\n");
    const steps = await prepare(plan);
    expect(steps).toContain(`kept branch ${BRANCH} on its earlier base: it does not move onto origin/main cleanly`);
    expect(await git(root, ["rev-parse", "HEAD"])).toBe(before);
    expect(await git(root, ["status", "--porcelain"])).toBe("");
    expect(existsSync(join(root, ".git", "rebase-merge")) || existsSync(join(root, ".git", "rebase-apply"))).toBe(
      false,
    );
  });
});
