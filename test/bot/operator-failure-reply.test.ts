// The chat's words for the rest of the failures only planbot's operator can fix, made by the real lower
// layers (git in a real workspace, the workspace path check): the problem in one plain line, whom to tell,
// and what the member can still do; the failure's own message keeps the operator's advice for the CLI and
// the logs. The store's failures go through the whole command layer in operator-words.test.ts.
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import type { RunPlan } from "../../src/execute/run-plan.ts";
import { updateExisting } from "../../src/execute/workspace-branch.ts";
import { gitIn } from "../../src/execute/workspace-git-steps.ts";
import { fail, type Failure } from "../../src/projects/result.ts";
import { checkWorkspacePaths } from "../../src/projects/workspace-files.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

const OPERATOR_WORDS = /move it away|move the folder away|git remote add|git rm|Check the disk/;

/** A git repository at `<temp>/shop` whose origin is `origin` (none when undefined), and its run plan. */
async function workspace(origin: string | undefined): Promise<{ plan: RunPlan; failure: Failure }> {
  const root = join(await temp.make("operator-reply-"), "shop");
  await mkdir(root);
  await execa("git", ["init", "--quiet", root]);
  if (origin) await execa("git", ["-C", root, "remote", "add", "origin", origin]);
  const plan = {
    slug: "shop",
    root,
    repo: "shop",
    remoteUrl: "/srv/git/shop",
    branch: "feat/x",
    base: "main",
  } as RunPlan;
  const outcome = await updateExisting(plan, gitIn(root, process.env), []);
  if (outcome.ok) throw new Error("expected the workspace to be refused");
  return { plan, failure: outcome };
}

describe("a chat's words for failures only the operator can fix", () => {
  it("a workspace cloned from another repository: offers /edit for the repo, else the admin moves the folder", async () => {
    const { failure } = await workspace("/srv/git/other");
    expect(failure.message).toContain("move it away or fix the project's repo");
    const { text, actions } = failureReply(failure);
    expect(text).toBe(
      "The workspace folder of **shop** on the server holds a clone of another repository. If the project's repo is wrong, set it: `/edit shop --repo R`. Otherwise tell planbot's admin: only they can move that folder away on the server.",
    );
    expect(actions).toEqual([{ label: "Status", command: "/status shop", style: "secondary" }]);
  });

  it("a workspace that is a git repository without an origin: the workspace cannot be used, tell the admin", async () => {
    const { failure } = await workspace(undefined);
    expect(failure.message).toContain("add it (git remote add origin …) or move the folder away");
    const { text } = failureReply(failure);
    expect(text).toContain("The workspace folder of **shop** on the server cannot be used.");
    expect(text).toContain("Please tell planbot's admin: it can only be fixed on the server planbot runs on.");
    expect(text).not.toMatch(OPERATOR_WORDS);
  });

  it("a symbolic link inside a workspace: names the file and says to tell the admin", async () => {
    const root = await temp.make("operator-link-");
    await mkdir(join(root, "scripts"));
    await symlink("/etc", join(root, "scripts", "ralph"));
    const checked = checkWorkspacePaths(root, ["scripts/ralph/prd.json"]);
    if (checked.ok) throw new Error("expected the link to be refused");
    expect(checked.message).toContain("Remove the link from the repository's branch (git rm scripts/ralph)");
    const { text } = failureReply(checked);
    expect(text).toContain(
      `\`${join(root, "scripts", "ralph")}\` in a project's workspace on the server is a symbolic link, and planbot will not use it.`,
    );
    expect(text).not.toMatch(OPERATOR_WORDS);
  });

  it("a change saved but not flushed: says so plainly", () => {
    const failure = fail(
      "store_io",
      "The change to /srv/planbot/approved-tasks.json was saved, but flushing it to disk failed: EIO. Check the disk before relying on it.",
      {
        details: { path: "/srv/planbot/approved-tasks.json", written: true, operator: "data_unflushed", errno: "EIO" },
      },
    );
    const { text } = failureReply(failure);
    expect(text).toContain("The change was saved, but planbot could not make sure it reached the server's disk.");
    expect(text).not.toMatch(OPERATOR_WORDS);
  });

  it("a kind this planbot cannot word (another version's) leaves the failure's own message", () => {
    const failure = fail("execute_failed", "the workspace is odd: ask the operator.", {
      details: { operator: "a_future_kind" },
    });
    expect(failureReply(failure).text).toBe("the workspace is odd: ask the operator.");
  });
});
