import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** The real launcher a newcomer runs (`bin/planbot`), started as a child process. */
export const planbotBin = join(repoRoot, "bin", "planbot");

/** Variables planbot reads: the child gets none of the caller's, only what a test gives it. */
const OURS =
  /^(PLANBOT_|DISCORD_|TELEGRAM_|DASHBOARD_|PLANNER_|RALPH_|GIT_REMOTE_BASE$|EXECUTE_|LOG_LEVEL$|LOG_FORMAT$|FAKE_|GITHUB_|PUSH_ON$|CLAUDE_)/;
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OURS.test(name)));

export interface PlanbotResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `bin/planbot <args>` in `cwd` with a clean environment plus `env`; never throws on a non-zero exit. */
export async function runPlanbot(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; input?: string },
): Promise<PlanbotResult> {
  const result = await execa(planbotBin, args, {
    cwd: options.cwd,
    env: { ...baseEnv, LOG_LEVEL: "warn", ...options.env },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    input: options.input ?? "",
  });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}
