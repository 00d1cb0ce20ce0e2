/**
 * What the tests that run `bin/planbot` as a real child process share: where the launcher is, and an
 * environment to start it with that holds none of the variables planbot reads from the caller's shell, so
 * a developer's own PLANBOT_DATA_DIR or DISCORD_TOKEN cannot leak into a test.
 */
import { join } from "node:path";
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
