// A data folder the file system will not create. Under /proc mkdir answers ENOENT although the parent
// exists, and Node 20's recursive mkdir then retries forever: planbot used to spin at 100% CPU, deaf to
// SIGTERM. Now the real `bin/planbot` stops with a message naming the folder and what to check.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("a data folder that cannot be created", { timeout: 120_000 }, () => {
  it("stops the command with the folder named, instead of hanging", async () => {
    const result = await runPlanbot(["projects", "propose", "zz", "A project"], {
      cwd: process.cwd(),
      env: { PLANBOT_DATA_DIR: "/proc/planbot-no-such-folder" },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("cannot create the folder /proc/planbot-no-such-folder (ENOENT)");
    expect(result.stderr).toContain("Check that planbot may create and write its data folder (PLANBOT_DATA_DIR)");
  });

  it("planbot projects names the file in the way of a data folder under a file, not ENOTDIR's bare words", async () => {
    const cwd = await temp.make("projects-folder-");
    const file = join(cwd, "notes.txt");
    await writeFile(file, "not a folder\n");
    const listed = await runPlanbot(["projects", "list"], { cwd, env: { PLANBOT_DATA_DIR: join(file, "data") } });
    expect(listed.exitCode).toBe(1);
    expect(listed.stderr).toContain(
      `Could not read ${join(file, "data", "approved-tasks.json")}: ${file} is a file, not a folder. Set PLANBOT_DATA_DIR to a folder`,
    );
    const proposed = await runPlanbot(["projects", "propose", "zz", "A project"], {
      cwd,
      env: { PLANBOT_DATA_DIR: file },
    });
    expect(proposed.exitCode).toBe(1);
    expect(proposed.stderr).toContain(
      `${file} is a file, not a folder. Check that planbot may create and write its data folder (PLANBOT_DATA_DIR)`,
    );
    for (const result of [listed, proposed]) expect(result.stderr).not.toContain("ENOTDIR");
  });

  it("planbot start (npm start) says it in one line too, also for a data folder under a file, instead of a stack trace", async () => {
    const cwd = await temp.make("start-folder-");
    const file = join(cwd, "approved-tasks.json");
    await writeFile(file, "{}\n");
    for (const [dataDir, problem] of [
      ["/proc/planbot-no-such-folder", "cannot create the folder /proc/planbot-no-such-folder (ENOENT)"],
      [join(file, "data"), `${file} is a file, not a folder`],
    ] as const) {
      const result = await runPlanbot(["start"], { cwd, env: { PLANBOT_DATA_DIR: dataDir, DASHBOARD_PORT: "0" } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).toContain("Check that planbot may create and write its data folder (PLANBOT_DATA_DIR)");
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
