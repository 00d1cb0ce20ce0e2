// A clone from a remote that is a local path (GIT_REMOTE_BASE on the same machine, as the queue workers in
// CI use) must not copy the remote's objects folder file by file: a push landing meanwhile keeps its objects
// in a quarantine folder (objects/tmp_objdir-incoming-*) that vanishes mid-copy, and git's local clone then
// dies with "failed to copy file". A link in the objects folder makes git's file-copying clone refuse
// deterministically ("symlink exists, refusing to clone with --local"), so it stands in for that race here.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gitEnv } from "../../src/execute/git.ts";
import { adoptClone } from "../../src/execute/workspace-clone.ts";
import { createBareRemote, git } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("adoptClone from a local path", () => {
  it("goes through git's transport, so a foreign entry in the remote's objects folder does not break it", async () => {
    const root = await temp.make("clone-");
    const remote = await createBareRemote(root, "shared");
    await mkdir(join(root, "elsewhere"));
    await writeFile(join(root, "elsewhere", "object"), "not an object\n");
    await symlink(join(root, "elsewhere", "object"), join(remote.path, "objects", "in-flight"));
    const workspace = join(root, "ws", "alpha");
    await mkdir(workspace, { recursive: true });
    await writeFile(join(workspace, "final-plan.md"), "# plan\n");
    const steps: string[] = [];

    const result = await adoptClone(
      { root: workspace, slug: "alpha", branch: "ralph/alpha", base: "main", remoteUrl: remote.path },
      remote.path,
      gitEnv(),
      steps,
    );

    expect(result).toEqual({ ok: true });
    expect(steps).toEqual([`cloned ${remote.path}`, "created branch ralph/alpha from origin/main"]);
    expect(await git(workspace, ["rev-parse", "HEAD"])).toBe(remote.mainTip);
    expect(await git(workspace, ["status", "--porcelain"])).toBe("?? final-plan.md");
  });
});
