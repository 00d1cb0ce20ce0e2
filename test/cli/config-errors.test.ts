// A wrong configuration value as a newcomer meets it: the real `bin/planbot` child process stops with
// one line naming the variable, the value and what a valid one looks like (not zod's "received NaN").
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("an invalid configuration value", { timeout: 120_000 }, () => {
  it("is named with what a valid value looks like, and stops the command with the usage exit code", async () => {
    const cwd = await temp.make("config-");
    const env = { PLANBOT_DATA_DIR: join(cwd, "data") };
    const port = await runPlanbot(["projects", "list"], { cwd, env: { ...env, DASHBOARD_PORT: "abc" } });
    expect(port.exitCode).toBe(2);
    expect(port.stderr.trim()).toBe(
      'planbot: Invalid DASHBOARD_PORT (got "abc"): must be a port number from 0 to 65535 (0 = any free port)',
    );
    expect(port.stdout).toBe("");
    const parallel = await runPlanbot(["doctor"], { cwd, env: { ...env, EXECUTE_PARALLEL: "1.5" } });
    expect(parallel.exitCode).toBe(2);
    expect(parallel.stderr.trim()).toBe(
      'planbot: Invalid EXECUTE_PARALLEL (got "1.5"): must be a whole number, 1 or more',
    );
    // The same rules hold in a .env file in the working directory.
    await writeFile(join(cwd, ".env"), "PROGRESS_EDIT_SECONDS=0.1\n");
    const edits = await runPlanbot(["projects", "list"], { cwd, env });
    expect(edits.exitCode).toBe(2);
    expect(edits.stderr.trim()).toBe(
      'planbot: Invalid PROGRESS_EDIT_SECONDS (got "0.1"): must be a number of seconds, at least 0.2',
    );
  });
});
