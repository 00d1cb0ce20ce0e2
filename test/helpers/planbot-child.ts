/**
 * What the tests that run `bin/planbot` as a real child process share: where the launcher is, an
 * environment to start it with that holds none of the variables planbot reads from the caller's shell, so
 * a developer's own PLANBOT_DATA_DIR or DISCORD_TOKEN cannot leak into a test, and starting it with one.
 */
import { join } from "node:path";
import { execa } from "execa";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The `bin/planbot` launcher. */
export const planbotBin = join(repoRoot, "bin", "planbot");

/** Variables planbot (and the fake ralph.sh) read: the children get none of the caller's. */
const PLANBOT_VARIABLES =
  /^(PLANBOT_|DISCORD_|TELEGRAM_|DASHBOARD_|PLANNER_|RALPH_|GIT_REMOTE_BASE$|EXECUTE_|LOG_LEVEL$|LOG_FORMAT$|FAKE_RALPH_)/;

/** The caller's environment without {@link PLANBOT_VARIABLES}; spread it under a test's own variables. */
export const baseEnv: Record<string, string | undefined> = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !PLANBOT_VARIABLES.test(name)),
);

/**
 * What `bin/planbot` gets in a test of the executor: {@link baseEnv}, the data dir and remote base of the
 * test's world, fake Ralph iterations of 20 ms and warnings-only logs; `extra` adds or overrides.
 */
export function executorCliEnv(
  dataDir: string,
  remoteBase: string,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    ...baseEnv,
    PLANBOT_DATA_DIR: dataDir,
    GIT_REMOTE_BASE: remoteBase,
    FAKE_RALPH_DELAY_MS: "20",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/** Starts `bin/planbot <args>` in `cwd` with exactly `env`; the child never rejects on a non-zero exit. */
export function startPlanbotChild(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  timeout = 90_000,
) {
  return execa(planbotBin, args, { cwd, env, extendEnv: false, reject: false, timeout });
}

/** A finished `bin/planbot` child's exit code and output, as text. */
export interface PlanbotChildResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs {@link startPlanbotChild} to its end. */
export async function runPlanbotChild(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  timeout = 90_000,
): Promise<PlanbotChildResult> {
  const result = await startPlanbotChild(args, cwd, env, timeout);
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}
