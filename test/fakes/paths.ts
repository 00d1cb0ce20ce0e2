import { fileURLToPath } from "node:url";

/**
 * Absolute path of the fake Claude Code CLI (an executable Node script).
 * Use it as PLANNER_COMMAND, or put its folder first on PATH: the file is
 * named `claude`. Needs CLAUDE_CONFIG_DIR in its environment; behaviour is
 * described at the top of `claude/claude.mjs`.
 */
export const fakeClaudePath: string = fileURLToPath(new URL("./claude/claude", import.meta.url));

/**
 * Absolute path of the fake snarktank/ralph `ralph.sh` (executable bash).
 * Copy or link it to `<workspace>/scripts/ralph/ralph.sh`: it works on the
 * prd.json next to where it is run from. Modes and variables are described
 * at the top of the script.
 */
export const fakeRalphPath: string = fileURLToPath(new URL("./ralph/ralph.sh", import.meta.url));
