import { spawn } from "node:child_process";

/**
 * A watchdog that takes Ralph's process group down with the worker. Ralph runs detached in its own
 * process group (its agent and their children share it), so a SIGKILLed worker would leave it working on
 * a run the queue has already failed or given to another worker. The reaper is a tiny detached `sh`
 * whose stdin is a pipe from the worker: when the worker dies, for whatever reason, the kernel closes
 * the pipe, `read` sees end-of-file and the reaper kills the group (SIGTERM, then SIGKILL after a grace).
 * When the run ends normally the worker writes `keep` and the reaper exits without killing anything.
 */
export const REAPER_SCRIPT = [
  "read -r word",
  '[ "$word" = keep ] && exit 0',
  'kill -s TERM -- "-$1" 2>/dev/null || exit 0',
  'sleep "$2"',
  'kill -s KILL -- "-$1" 2>/dev/null',
  "exit 0",
].join("\n");

/** The reaper of one Ralph process group. */
export interface RalphReaper {
  /** Ralph ended on its own (or was stopped by the worker): the reaper leaves without killing. */
  disarm(): void;
  /** Settles when the reaper has exited (after killing the group, or disarmed). */
  done: Promise<void>;
}

/** Starts the reaper of the process group led by `pgid`; it never keeps the worker's event loop alive. */
export function startRalphReaper(pgid: number, graceSeconds = 3): RalphReaper {
  const child = spawn("sh", ["-c", REAPER_SCRIPT, "planbot-ralph-reaper", String(pgid), String(graceSeconds)], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  const done = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const stdin = child.stdin;
  stdin?.on("error", () => undefined);
  child.unref();
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    done,
    disarm() {
      if (!stdin || stdin.destroyed) return;
      stdin.end("keep\n");
    },
  };
}
