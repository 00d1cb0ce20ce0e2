// A data folder the file system will not create. Under /proc mkdir answers ENOENT although the parent
// exists, and Node 20's recursive mkdir then retries forever: planbot used to spin at 100% CPU, deaf to
// SIGTERM. Now the real `bin/planbot` stops with a message naming the folder and what to check.
import { describe, expect, it } from "vitest";
import { runPlanbot } from "./planbot-process.ts";

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
});
