import { closeSync, mkdirSync, openSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { execa } from "execa";
import { fail, type Result } from "../projects/result.ts";

/**
 * The gate Ralph is launched through: a POSIX sh that waits for a go-file and then `exec`s Ralph, so the
 * PID planbot records is Ralph's own and is recorded (store entry + .ralph.pid) before Ralph does any
 * work. Ralph's path and arguments are positional parameters, never interpolated into the script. If
 * planbot dies before releasing it, the gate gives up after about a minute without running Ralph.
 * While it waits its command line holds the script path, so the derived status is already running-ralph.
 */
export const RALPH_GATE_SCRIPT = [
  'go=$1; shift; n=0',
  'while [ ! -e "$go" ]; do',
  '  n=$((n+1)); if [ "$n" -gt 6000 ]; then echo "planbot: Ralph was never released (planbot stopped before recording its PID)" >&2; exit 125; fi',
  '  sleep 0.01',
  'done',
  'rm -f "$go"',
  'exec "$@"',
].join("\n");

/** How a run ended while planbot was its parent. */
export interface RalphExit {
  exitCode: number | null;
  signal: string | null;
}

/** A launched, still gated Ralph. */
export interface RalphProcess {
  pid: number;
  logPath: string;
  /** Opens the gate: Ralph starts working. Call after its PID is recorded. */
  release(): Promise<void>;
  /** Signals Ralph's whole process group (Ralph, its agent, their children); false when it is gone. */
  kill(signal?: NodeJS.Signals): boolean;
  /** Settles when the process ends; only observed while this planbot process is alive. */
  exited: Promise<RalphExit>;
}

/** What {@link launchRalph} starts. */
export interface LaunchOptions {
  /** Working directory: the workspace root. */
  cwd: string;
  file: string;
  args: readonly string[];
  /** Output file (stdout and stderr, appended). */
  logPath: string;
  /** The gate's go-file. */
  goFile: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts Ralph detached in its own process group (it must outlive planbot: `planbot execute` may be
 * Ctrl-C'd and `planbot start` restarted while it works), with stdout and stderr going straight to a log
 * file descriptor — no pipe ties it to planbot — and unref'd so planbot's event loop does not wait for it.
 */
export async function launchRalph(options: LaunchOptions): Promise<Result<{ ralph: RalphProcess }>> {
  await rm(options.goFile, { force: true });
  let fd: number;
  try {
    mkdirSync(dirname(options.logPath), { recursive: true });
    fd = openSync(options.logPath, "a", 0o644);
  } catch (error) {
    return fail("execute_failed", `Cannot open Ralph's log ${options.logPath}: ${(error as Error).message}`);
  }
  // execa's types list only descriptors 3–9, but at run time a number goes to child_process.spawn unchanged.
  const output = fd as unknown as 3;
  let child;
  try {
    child = execa("sh", ["-c", RALPH_GATE_SCRIPT, "planbot-ralph-gate", options.goFile, options.file, ...options.args], {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      detached: true,
      cleanup: false,
      reject: false,
      stdin: "ignore",
      stdout: output,
      stderr: output,
    });
  } finally {
    // The child holds its own copy of the descriptor from here on.
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const result = await child;
    return fail("execute_failed", `Could not start Ralph (${options.file}): ${result.shortMessage ?? result.message ?? "spawn failed"}`);
  }
  child.unref();
  const exited = child.then(
    (result) => ({ exitCode: result.exitCode ?? null, signal: result.signal ?? null }),
    () => ({ exitCode: null, signal: null }),
  );
  return {
    ok: true,
    ralph: {
      pid,
      logPath: options.logPath,
      release: () => writeFile(options.goFile, `${pid}\n`),
      kill: (signal = "SIGTERM") => killGroup(pid, signal),
      exited,
    },
  };
}

/** Signals the process group led by `pid`; false when there is no such group. */
export function killGroup(pid: number, signal: NodeJS.Signals = "SIGTERM"): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Writes `scripts/ralph/.ralph.pid` (echo-core's file, read by the echo-core tools). */
export async function writePidFile(path: string, pid: number): Promise<void> {
  await writeFile(path, `${pid}\n`);
}

/** Removes `.ralph.pid` if it still names `pid` (a newer run's file is left alone). */
export async function removePidFile(path: string, pid: number): Promise<void> {
  try {
    const text = (await readFile(path, "utf8")).trim();
    if (text === String(pid)) await rm(path, { force: true });
  } catch {
    // Already gone.
  }
}
