// A project's workspace that is a file, not a folder (a hand-made mistake on the server): reading its
// files finds nothing there instead of throwing ENOTDIR out of a command (/plan's status derivation read
// `scripts/ralph/prd.json` below it and the chat got "Something went wrong").
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkWorkspacePaths,
  readWorkspaceTextSync,
  workspacePathProblem,
} from "../../src/projects/workspace-files.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

describe("paths below a workspace that is a file", () => {
  it("are missing: no problem to report, nothing to read", async () => {
    const root = join(await temp.make("below-file-"), "shop");
    await writeFile(root, "not a folder");
    expect(workspacePathProblem(root, "scripts/ralph/prd.json")).toBeUndefined();
    expect(checkWorkspacePaths(root, ["scripts/ralph/prd.json"])).toEqual({ ok: true });
    expect(readWorkspaceTextSync(root, "scripts/ralph/prd.json")).toBeUndefined();
  });
});
