// `planbot execute` in a terminal: its own line per run is the output. Without LOG_LEVEL it used to print
// the same refusal again as a JSON log line on stderr; now only errors are logged unless LOG_LEVEL says more.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("planbot execute's output", { timeout: 120_000 }, () => {
  it("says a refusal once, on stdout, with no JSON log line unless LOG_LEVEL asks for one", async () => {
    const cwd = await temp.make("execute-output-");
    const env = { PLANBOT_DATA_DIR: join(cwd, "data") };
    expect((await runPlanbot(["projects", "propose", "demo", "A demo"], { cwd, env })).exitCode).toBe(0);
    expect((await runPlanbot(["projects", "approve", "demo"], { cwd, env })).exitCode).toBe(0);

    const quiet = await runPlanbot(["execute", "demo"], { cwd, env: { ...env, LOG_LEVEL: "" } });
    expect(quiet.exitCode).toBe(1);
    expect(quiet.stdout).toMatch(/^demo: refused: Ralph was not started: demo has no plan/);
    expect(quiet.stderr).toBe("");

    const verbose = await runPlanbot(["execute", "demo"], { cwd, env: { ...env, LOG_LEVEL: "info" } });
    expect(verbose.exitCode).toBe(1);
    expect(verbose.stdout).toMatch(/^demo: refused: /);
    expect(JSON.parse(verbose.stderr.trim().split("\n").at(-1)!)).toMatchObject({ level: "info", slug: "demo" });
  });
});
