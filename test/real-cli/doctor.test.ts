/**
 * `doctor`'s planner login check against the real Claude Code CLI: `claude auth status` says whether
 * the planner can log in, with planbot's environment allowlist applied.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { runDoctorChecks } from "../../src/cli/doctor-checks.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { realClaudePath } from "./claude-binary.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

async function doctor(extra: Record<string, string>) {
  const root = await temp.make("real-doctor-");
  const home = join(root, "home");
  await mkdir(join(home, ".claude"), { recursive: true });
  const loaded = loadConfig({ PLANBOT_DATA_DIR: join(root, "data"), PLANNER_COMMAND: realClaudePath() }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    ...extra,
  };
  const checks = await runDoctorChecks(loaded.config, { env, timeoutMs: 60_000 });
  return checks.find((check) => check.name === "planner login");
}

describe.concurrent("doctor: planner login (real CLI)", { timeout: 120_000 }, () => {
  it("fails with where to log in when the CLI has no credentials", async ({ expect }) => {
    const check = await doctor({});
    expect(check).toMatchObject({ level: "fail" });
    expect(check?.detail).toContain("not logged in");
    expect(check?.detail).toContain("ANTHROPIC_API_KEY");
  });

  it("is ok with an API key in planbot's environment", async ({ expect }) => {
    const check = await doctor({ ANTHROPIC_API_KEY: "sk-ant-test-dummy" });
    expect(check).toMatchObject({
      level: "ok",
      detail: expect.stringContaining("logged in (api_key, ANTHROPIC_API_KEY)"),
    });
  });
});
