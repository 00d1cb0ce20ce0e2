// A data folder, workspace folder or GIT_REMOTE_BASE that runs through a file (PLANBOT_DATA_DIR set to
// approved-tasks.json itself, say): `planbot doctor` is the command a newcomer runs to find such a mistake,
// so it must report it as a check line, naming the file in the way and the variable to fix, never end in
// node's stack trace. Through the real `bin/planbot`.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("planbot doctor and folders that run through a file", { timeout: 120_000 }, () => {
  it("names the file in the way and the variable to set, with exit 1 and no stack trace", async () => {
    const cwd = await temp.make("doctor-folders-");
    const file = join(cwd, "approved-tasks.json");
    await writeFile(file, '{"version":0,"tasks":[]}\n');

    const dataIsFile = await runPlanbot(["doctor"], { cwd, env: { PLANBOT_DATA_DIR: file } });
    expect(dataIsFile.exitCode).toBe(1);
    const lines = dataIsFile.stdout.split("\n");
    expect(lines).toContain(`fail  data dir: ${file} exists but is not a folder: set PLANBOT_DATA_DIR to a folder`);
    // The workspace follows the data folder here, so the variable to fix is still PLANBOT_DATA_DIR.
    expect(lines).toContain(
      `fail  workspace dir: ${file}/workspace cannot be created: ${file} is a file, not a folder; set PLANBOT_DATA_DIR to a folder`,
    );

    const underFile = await runPlanbot(["doctor"], {
      cwd,
      env: {
        PLANBOT_DATA_DIR: join(cwd, "data"),
        PLANBOT_WORKSPACE_DIR: join(file, "workspace"),
        GIT_REMOTE_BASE: join(file, "repos"),
      },
    });
    expect(underFile.exitCode).toBe(1);
    expect(underFile.stdout.split("\n")).toContain(
      `fail  workspace dir: ${file}/workspace cannot be created: ${file} is a file, not a folder; set PLANBOT_WORKSPACE_DIR to a folder`,
    );
    expect(underFile.stdout).toContain(`fail  GIT_REMOTE_BASE: ${file}/repos does not exist`);

    for (const result of [dataIsFile, underFile]) {
      expect(result.stderr).not.toMatch(/ENOTDIR|node:fs|\n\s+at /);
      // Every check still ran: the last line of the list is there.
      expect(result.stdout).toContain("EXECUTE_AT:");
    }
  });
});
