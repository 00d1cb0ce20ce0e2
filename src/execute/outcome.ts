import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { storyProgress } from "../projects/derive-status.ts";
import type { LoosePrd } from "../projects/schemas.ts";

/** How a finished Ralph run is recorded on its entry. */
export interface RunVerdict {
  /** The entry's status: `complete` falls through to the PRD in derive-status, `failed` is shown as is, `blocked` again comes from the PRD. */
  status: "complete" | "blocked" | "failed";
  /** null for a complete run; else why, the exit code and the last lines of output. */
  error: string | null;
  /** One line for a person: `complete (3/3 stories)`, `failed (1/3 stories, exit code 1)`. */
  summary: string;
}

/** What is known about a finished run. */
export interface RunEnding {
  prd: LoosePrd | null;
  /** null when unknown (Ralph ended while planbot was not its parent). */
  exitCode: number | null;
  signal?: string | null | undefined;
  /** Last lines of Ralph's output, if any. */
  tail?: string | undefined;
  /** Extra context, e.g. "stopped by planbot". */
  note?: string | undefined;
  /**
   * Why planbot stopped the run ("stopped: cancelled", "stopped after RALPH_MAX_MINUTES=30 minutes"): a stopped
   * run that left stories open is failed whatever the PRD says, and the reason leads its error.
   */
  stopped?: string | undefined;
}

/**
 * Judges a finished run with echo-core's story rules (derive-status.ts): every story passes → complete;
 * every unfinished story blocked → blocked; otherwise failed (a story marked failed, a non-zero exit, or
 * an exit 0 that left stories open).
 */
export function judgeRun(ending: RunEnding): RunVerdict {
  const progress = storyProgress(ending.prd);
  const stories = progress.total;
  const counts = `${progress.done}/${stories} stories`;
  const exit =
    ending.exitCode !== null
      ? `exit code ${ending.exitCode}`
      : ending.signal
        ? `killed by ${ending.signal}`
        : "exit code unknown (Ralph ended while planbot was not watching it)";
  if (stories > 0 && progress.done === stories)
    return { status: "complete", error: null, summary: `complete (${counts})` };
  const open = stories - progress.done;
  let status: RunVerdict["status"];
  let why: string;
  if (ending.stopped) {
    status = "failed";
    why = ending.stopped;
  } else if (!ending.prd) {
    status = "failed";
    why = "prd.json is missing or unreadable";
  } else if (stories === 0) {
    status = "failed";
    why = "prd.json has no user stories";
  } else if (open > 0 && progress.blocked.length === open) {
    status = "blocked";
    why = `blocked stories: ${progress.blocked.join(" ")}`;
  } else if (progress.failed.length > 0) {
    status = "failed";
    why = `failed stories: ${progress.failed.join(" ")}`;
  } else {
    status = "failed";
    why = `${counts} pass`;
  }
  const head = [why, exit, ending.note].filter(Boolean).join("; ");
  const tail = ending.tail?.trim();
  return {
    status,
    error: tail ? `${head}${LOG_TAIL_MARKER}${tail}` : head,
    summary: ending.stopped
      ? `${status} (${counts}; ${why})`
      : `${status} (${counts}; ${why === `${counts} pass` ? exit : `${why}; ${exit}`})`,
  };
}

/** Between a run error's reason and the tail of Ralph's log in a stored error (the /status card splits there). */
export const LOG_TAIL_MARKER = "\n--- last lines of Ralph's output ---\n";

/** The last `lines` lines of a log file (read from its last 32 KiB; long lines cut), or "" when unreadable. */
export async function readLogTail(path: string, lines = 20): Promise<string> {
  let handle;
  try {
    // Never through a link: the tail ends up in the project's error and in chats.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return "";
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 32 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString("utf8");
    const all = text.split("\n").map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line.trimEnd()));
    if (size > length) all.shift();
    while (all.length && all[all.length - 1] === "") all.pop();
    return all.slice(-lines).join("\n");
  } catch {
    return "";
  } finally {
    await handle.close();
  }
}
