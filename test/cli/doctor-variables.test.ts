// A misspelt variable is silently not read: `planbot doctor` names it, where it was set and the variable it
// was most likely meant to be, through the real `bin/planbot` with a `.env` file as the README describes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("planbot doctor and misspelt variables", { timeout: 120_000 }, () => {
  it("warns about a variable close to one planbot reads, in .env or the environment, and names the right one", async () => {
    const cwd = await temp.make("doctor-variables-");
    await writeFile(join(cwd, ".env"), "DISCROD_TOKEN=abc\nPLANBOT_DATADIR=/tmp/elsewhere\nDASHBOARD_PORT=0\n");
    const result = await runPlanbot(["doctor"], {
      cwd,
      env: { PLANBOT_DATA_DIR: join(cwd, "data"), EXECUTE_ATT: "02:30", UNRELATED_SETTING: "1" },
    });
    const lines = result.stdout.split("\n");
    expect(lines).toContain(
      "warn  variables: DISCROD_TOKEN (in .env) is not a variable planbot reads; did you mean DISCORD_TOKEN?",
    );
    expect(lines).toContain(
      "warn  variables: PLANBOT_DATADIR (in .env) is not a variable planbot reads; did you mean PLANBOT_DATA_DIR?",
    );
    expect(lines).toContain(
      "warn  variables: EXECUTE_ATT (in the environment) is not a variable planbot reads; did you mean EXECUTE_AT?",
    );
    // Variables planbot reads, and ones that resemble none of them, are not mentioned.
    expect(result.stdout).not.toMatch(/DASHBOARD_PORT \(|UNRELATED_SETTING/);
  });
});
