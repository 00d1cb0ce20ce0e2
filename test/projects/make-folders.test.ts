// makeFolders / makeFoldersSync (src/projects/make-folders.ts): mkdir -p on real folders that always
// ends, where Node 20's own recursive mkdir never returns (a folder under /proc).
import { statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeFolders, makeFoldersSync } from "../../src/projects/make-folders.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe.each([
  ["makeFolders", (path: string, mode?: number) => makeFolders(path, mode)],
  ["makeFoldersSync", async (path: string, mode?: number) => makeFoldersSync(path, mode)],
])("%s", (_name, make) => {
  it("makes every missing level with the mode asked for, and leaves existing folders be", async () => {
    const root = await temp.make("folders-");
    const deep = join(root, "a", "b", "c");
    await make(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(root, "a")).mode & 0o777).toBe(0o700);
    await make(deep);
    await make(root);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it("fails naming the level the file system refuses, where Node's recursive mkdir loops forever", async () => {
    await expect(make("/proc/planbot-no-such/folder")).rejects.toMatchObject({
      code: "ENOENT",
      message: "cannot create the folder /proc/planbot-no-such (ENOENT)",
    });
  });

  it("fails with ENOTDIR when a file stands where a folder should be", async () => {
    const root = await temp.make("folders-");
    await writeFile(join(root, "file"), "x");
    await expect(make(join(root, "file", "below"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});
