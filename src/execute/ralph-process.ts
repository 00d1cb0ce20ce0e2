import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, open as openCallback } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fail, type Result } from "../projects/result.ts";
import { readWorkspaceText, writeWorkspaceText } from "../projects/workspace-files.ts";

/**
 * The gate Ralph is launched through: a POSIX sh that waits for a go-file and then `exec`s Ralph, so the
 * PID planbot records is Ralph's own and is recorded (store entry + .ralph.pid) before Ralph does any
 * work. Ralph's path and arguments are positional parameters, never interpolated into the script. If
 * planbot dies before releasing it, the gate gives up after about a minute without running Ralph.
 * While it waits its command line holds the script path, so the derived status is already running-ralph.
 */
export const RALPH_GATE_SCRIPT = [
  "go=$1; shift; n=0",
  'while [ ! -e "$go" ]; do',
  '  n=$((n+1)); if [ "$n" -gt 6000 ]; then echo "planbot: Ralph was never released (planbot stopped before recording its PID)" >&2; exit 125; fi',
  "  sleep 0.01",
  "done",
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
  /** The log file, for reports. */
  logPath: string;
  /**
   * The log file's descriptor, opened for appending without following links (see workspace-files.ts).
   * Only the log writer keeps it; the caller closes its own copy once this returns.
   */
  logFd: number;
  /** The gate's go-file. */
  goFile: string;
  env: NodeJS.ProcessEnv;
}

/** How long to wait, after Ralph exits, for the log writer to write the last of its output. */
const LOG_DRAIN_MS = 3000;

/**
 * Starts Ralph detached in its own process group (it must outlive planbot: `planbot execute` may be
 * Ctrl-C'd and `planbot start` restarted while it works), unref'd so planbot's event loop does not wait.
 *
 * Ralph's stdout and stderr are a pipe (a FIFO, unlinked once open) to a small detached log writer
 * (`cat`, its own process group) that appends to the log. Not the log file itself: snarktank/ralph's
 * ralph.sh captures each iteration with `tee /dev/stderr`, and on Linux opening /dev/stderr re-opens a
 * regular file with O_TRUNC — every iteration would wipe the log and planbot's header. Opening it on a
 * FIFO opens the same pipe (Node's own stdio "pipes" are sockets, which /dev/stderr cannot open). The
 * writer holds the only read end and nothing ties it to planbot, so the log keeps growing while planbot
 * is down; it ends when Ralph and everything it started have closed their output.
 */
export async function launchRalph(options: LaunchOptions): Promise<Result<{ ralph: RalphProcess }>> {
  await rm(options.goFile, { force: true });
  const pipe = await openLogPipe(options.logFd, options.env);
  if (!pipe.ok) return fail("execute_failed", `Cannot start the log writer for ${options.logPath}: ${pipe.message}`);
  let child: ChildProcess;
  try {
    child = spawn(
      "sh",
      ["-c", RALPH_GATE_SCRIPT, "planbot-ralph-gate", options.goFile, options.file, ...options.args],
      {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ["ignore", pipe.fd, pipe.fd],
      },
    );
  } catch (error) {
    return fail("execute_failed", `Could not start Ralph (${options.file}): ${(error as Error).message}`);
  } finally {
    // Ralph holds its own copies of the write end from here on; planbot's would keep the writer alive.
    closeSync(pipe.fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const message = await new Promise<string>((resolve) => child.once("error", (error) => resolve(error.message)));
    return fail("execute_failed", `Could not start Ralph (${options.file}): ${message}`);
  }
  child.unref();
  const exited = new Promise<RalphExit>((resolve) => {
    child.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
    child.once("error", () => resolve({ exitCode: null, signal: null }));
  }).then(async (exit) => {
    // The writer may still be writing Ralph's last lines; the outcome reads the log's tail.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pipe.writerDone, new Promise<void>((resolve) => (timer = setTimeout(resolve, LOG_DRAIN_MS)))]);
    clearTimeout(timer);
    return exit;
  });
  return {
    ok: true,
    ralph: {
      pid,
      logPath: options.logPath,
      release: () => createGoFile(options.goFile, pid),
      kill: (signal = "SIGTERM") => killGroup(pid, signal),
      exited,
    },
  };
}

const openFd = promisify(openCallback) as (path: string, flags: number) => Promise<number>;

/** How long the log writer may take to open its end of the FIFO. */
const WRITER_OPEN_MS = 10_000;

/**
 * Starts the detached log writer on a fresh FIFO and returns the FIFO's write end (blocking, as Ralph's
 * output must be) and a promise settled when the writer ends. The FIFO lives in a private temp folder that
 * is removed as soon as both ends are open.
 */
async function openLogPipe(
  logFd: number,
  env: NodeJS.ProcessEnv,
): Promise<Result<{ fd: number; writerDone: Promise<void> }>> {
  const dir = await mkdtemp(join(tmpdir(), "planbot-ralph-log-"));
  const fifo = join(dir, "pipe");
  try {
    const { execa } = await import("execa"); // loaded on first use, as in git.ts
    const made = await execa("mkfifo", ["-m", "600", "--", fifo], { reject: false, stdin: "ignore" });
    if (made.exitCode !== 0) return fail("execute_failed", `mkfifo failed: ${made.stderr || made.shortMessage}`);
    const writer = spawn("sh", ["-c", 'exec cat < "$1"', "planbot-log-writer", fifo], {
      stdio: ["ignore", logFd, logFd],
      detached: true,
      env: { PATH: env.PATH ?? process.env.PATH ?? "/usr/bin:/bin" },
    });
    const writerDone = new Promise<void>((resolve) => {
      writer.once("close", () => resolve());
      writer.once("error", () => resolve());
    });
    writer.unref();
    // Opening the write end waits for the writer to open the read end; never longer than WRITER_OPEN_MS.
    let timer: NodeJS.Timeout | undefined;
    // A plain descriptor (not a FileHandle, which garbage collection would close behind Ralph's back).
    const opening = openFd(fifo, constants.O_WRONLY);
    const timedOut = new Promise<"timeout">(
      (resolve) => (timer = setTimeout(() => resolve("timeout"), WRITER_OPEN_MS)),
    );
    const first = await Promise.race([opening, writerDone.then(() => "ended" as const), timedOut]);
    clearTimeout(timer);
    if (first === "timeout" || first === "ended") {
      writer.kill("SIGKILL");
      // Unblock the pending open with a reader of our own, then close both.
      const reader = await openFd(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      closeSync(await opening);
      closeSync(reader);
      return fail(
        "execute_failed",
        first === "timeout" ? "the writer did not open its pipe in time" : "the writer ended at once",
      );
    }
    return { ok: true, fd: first, writerDone };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Creates the go-file; refuses to follow a link or reuse a file (O_EXCL | O_NOFOLLOW). */
async function createGoFile(path: string, pid: number): Promise<void> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(`${pid}\n`);
  } finally {
    await handle.close();
  }
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

/** `.ralph.pid` relative to the workspace root. */
export const PID_FILE = "scripts/ralph/.ralph.pid";

/** Writes `scripts/ralph/.ralph.pid` (echo-core's file, read by the echo-core tools), never through a link. */
export async function writePidFile(root: string, pid: number): Promise<void> {
  const written = await writeWorkspaceText(root, PID_FILE, `${pid}\n`);
  if (!written.ok) throw new Error(written.message);
}

/** Removes `.ralph.pid` if it is a regular file that still names `pid` (a newer run's file, or a link, is left alone). */
export async function removePidFile(root: string, pid: number): Promise<void> {
  const read = await readWorkspaceText(root, PID_FILE, 64);
  if (read.ok && read.text.trim() === String(pid)) await rm(read.path, { force: true });
}
