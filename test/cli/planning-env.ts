import { join } from "node:path";
import { fakeClaudePath } from "../fakes/paths.ts";
import { createBareRemote } from "../helpers/git-fixtures.ts";

/**
 * What `/plan` needs when a test drives `bin/planbot` in `cwd`: a data folder, a bare remote holding
 * repository `repo`, and the fake Claude planner with its own config folder. `env` goes to `runPlanbot`.
 */
export async function planningEnv(cwd: string, repo = "app") {
  const remote = await createBareRemote(cwd, repo);
  const env = {
    PLANBOT_DATA_DIR: join(cwd, "data"),
    GIT_REMOTE_BASE: remote.base,
    PLANNER_COMMAND: fakeClaudePath,
    CLAUDE_CONFIG_DIR: join(cwd, "claude-config"),
  };
  return { remote, env };
}
