/** Outcome of one git command: its stdout, or a one-paragraph message naming the command and git's own words. */
export type GitOutcome = { ok: true; stdout: string } | { ok: false; message: string; exitCode: number | undefined };

/** Options of {@link runGit}. */
export interface GitOptions {
  /** Folder git runs in (`-C`). */
  cwd: string;
  /** Base environment (default `process.env`); see {@link gitEnv} for what is forced. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Kill git after this long; network commands get minutes, local ones seconds. */
  timeoutMs?: number;
  /** Text for git's stdin (e.g. a NUL-separated path list for `--stdin -z`). */
  input?: string;
}

/** The identity of every commit planbot makes itself, so it works on a machine with no git config. */
export const PLANBOT_IDENTITY = ["-c", "user.name=planbot", "-c", "user.email=planbot@localhost"] as const;

/** Default time limit of a local git command. */
export const LOCAL_GIT_TIMEOUT_MS = 60_000;
/** Default time limit of a network git command (clone, fetch). */
export const NETWORK_GIT_TIMEOUT_MS = 10 * 60_000;

/**
 * The environment git runs with: never prompts for credentials (a prompt would hang a nightly run with
 * nobody to answer), never inherits a GIT_DIR/GIT_WORK_TREE that would point it at another repository,
 * and never searches above `ceiling` for a repository — a workspace under planbot's own checkout must not
 * be mistaken for part of it.
 */
export function gitEnv(env: NodeJS.ProcessEnv = process.env, ceiling?: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: "0" };
  for (const name of [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
  ])
    delete clean[name];
  if (ceiling) clean.GIT_CEILING_DIRECTORIES = ceiling;
  return clean;
}

/**
 * Runs `git <args>` through execa with an argument array (never a shell), so user-supplied names can
 * only ever be arguments. Failures come back as values: the caller records the message on the project.
 */
export async function runGit(args: readonly string[], options: GitOptions): Promise<GitOutcome> {
  // execa loads on first use, not at import: an idle `planbot start` need not hold it (README, "Dependencies and why").
  const { execa } = await import("execa");
  const result = await execa("git", [...args], {
    cwd: options.cwd,
    env: options.env ?? gitEnv(),
    extendEnv: false,
    reject: false,
    stripFinalNewline: true,
    timeout: options.timeoutMs ?? LOCAL_GIT_TIMEOUT_MS,
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" as const }),
  });
  if (result.exitCode === 0 && !result.failed) return { ok: true, stdout: String(result.stdout ?? "") };
  const shown = describeArgs(args);
  if (result.timedOut)
    return {
      ok: false,
      message: `git ${shown} timed out after ${Math.round((options.timeoutMs ?? LOCAL_GIT_TIMEOUT_MS) / 1000)} s`,
      exitCode: undefined,
    };
  if (result.exitCode === undefined) {
    const missing = /ENOENT/.test(String(result.message ?? ""));
    return {
      ok: false,
      message: missing
        ? "git is not installed (or not on PATH): install git"
        : `git ${shown} could not run: ${result.shortMessage ?? result.message}`,
      exitCode: undefined,
    };
  }
  const stderr = String(result.stderr ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-4)
    .join(" ");
  return {
    ok: false,
    message: `git ${shown} failed (exit ${result.exitCode})${stderr ? `: ${stderr}` : ""}`,
    exitCode: result.exitCode,
  };
}

/** `clone -- <url>`-style summary of a command for messages: leading `-c key=value` pairs dropped, at most 4 words. */
function describeArgs(args: readonly string[]): string {
  let start = 0;
  while (args[start] === "-c") start += 2;
  return args.slice(start, start + 4).join(" ");
}
