import type { Failure } from "./result.ts";

/**
 * Problems only planbot's operator can fix, on the server it runs on. A failure of one carries
 * `details.operator` (its kind) next to its code: its message keeps the operator's advice and paths (the
 * CLI, the logs and the terminal — the operator's own chat — show it as it is), while a chat, whose members
 * cannot touch the server, names the problem plainly and says to tell planbot's admin (the words:
 * src/notify/operator-words.ts).
 */
export type OperatorProblem =
  /** A store in the data folder could not be written or locked (a full disk, permissions, read-only). */
  | "data_unwritable"
  /** A change was written but flushing it to the disk failed. */
  | "data_unflushed"
  /** A store file does not parse (planbot will not overwrite it), or cannot be opened at all (`details.errno`). */
  | "store_unreadable"
  /** The project's workspace folder cannot be used: not a folder, cannot be made, not the git clone expected. */
  | "workspace_unusable"
  /** The project's workspace is a clone of another repository than the project's. */
  | "workspace_other_repo"
  /**
   * A file inside the workspace is in the way: a symbolic link, not a regular file, or (Ralph's script) not
   * executable; `details.problem` says which.
   */
  | "workspace_file"
  /**
   * The project's repository could not be cloned or fetched from the server's remote (GIT_REMOTE_BASE) with
   * its git credentials. Often the project's repo name is wrong instead, which the member can set: such a
   * failure also names that field (`details.next: "edit"`, src/projects/error-fix.ts).
   */
  | "git_remote"
  /**
   * Ralph's script or its prompt file is neither in the project's workspace nor in planbot's Ralph template
   * (`$PLANBOT_DATA_DIR/ralph-template/`, RALPH_COMMAND): `details.check` says which file, `details.path`
   * where it belongs in the workspace. When the workspace is a clone of the project's repository the member
   * can add the file there instead (`details.next: "add_file"`, src/projects/error-fix.ts).
   */
  | "ralph_missing"
  /** The machine is not set up to run Ralph (a missing tool, the user planbot runs as): `details.check` says which. */
  | "server_setup"
  /** The job queue (Redis) does not answer: `details.consequence` says what did not happen. */
  | "queue_unreachable";

/**
 * The preflight checks (src/execute/preflight.ts) whose refusal only the machine's operator can lift. A
 * stored refusal keeps its check, so chats tell these apart long after the run was refused.
 */
export const SERVER_SETUP_CHECKS: ReadonlySet<string> = new Set(["jq", "root"]);

/**
 * The check of a refusal because Ralph's script in the workspace is not executable: the operator can make
 * the workspace's copy executable, and when the script comes from the project's repository the member can
 * commit it as executable there (the refusal keeps that path as `repo_path`).
 */
export const SCRIPT_EXECUTABLE_CHECK = "script_executable";

/**
 * The checks of a refusal because Ralph's script (`script_missing`) or its prompt file (`prompt`) is not in
 * the workspace: the operator can give planbot a template of it, and when the workspace is a clone of the
 * project's repository the member can add it there on the base branch (the refusal keeps that path as
 * `repo_path`; a refused run's untouched feature branch catches up with its base, src/execute/base-catch-up.ts).
 */
export const SCRIPT_MISSING_CHECK = "script_missing";
export const PROMPT_CHECK = "prompt";
export const RALPH_FILE_CHECKS: ReadonlySet<string> = new Set([SCRIPT_MISSING_CHECK, PROMPT_CHECK]);

/** The `details` that mark a failure as the operator's to fix; `error` adds its errno code (`ENOSPC`). */
export function operatorDetails(problem: OperatorProblem, error?: unknown): Record<string, unknown> {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof errno === "string" ? { operator: problem, errno } : { operator: problem };
}

const KNOWN: ReadonlySet<string> = new Set<OperatorProblem>([
  "data_unwritable",
  "data_unflushed",
  "store_unreadable",
  "workspace_unusable",
  "workspace_other_repo",
  "workspace_file",
  "git_remote",
  "ralph_missing",
  "server_setup",
  "queue_unreachable",
]);

/**
 * `value` as an {@link OperatorProblem}, or undefined: stored errors and workers' results may come from
 * another planbot version, and a kind this one cannot word is left to the failure's own message.
 */
export function asOperatorProblem(value: unknown): OperatorProblem | undefined {
  return typeof value === "string" && KNOWN.has(value) ? (value as OperatorProblem) : undefined;
}

/** The operator's problem a failure names, if it is one this planbot knows. */
export function operatorProblemOf(failure: Pick<Failure, "details">): OperatorProblem | undefined {
  return asOperatorProblem(failure.details?.operator);
}
