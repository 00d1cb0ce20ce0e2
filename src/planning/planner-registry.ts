import { closeSync, constants, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { PlannerProcessTracker } from "./planner-backend.ts";
import { makeFoldersSync } from "../projects/make-folders.ts";

/** A planner process as recorded: its pid and the kernel's start time of that pid (so a reused pid is not mistaken for it). */
interface PlannerRecord {
  pid: number;
  start_ticks: string;
  started_at: string;
}

/**
 * Records every running planner process in `<dataDir>/sessions/planners/<pid>.json` while it runs. A
 * planbot killed with SIGKILL leaves its records behind; the next start stops those processes (their
 * whole process group) before any session is resumed, so two planners never work one CLI session.
 */
export interface PlannerRegistry extends PlannerProcessTracker {
  /** Stops the planners a previous planbot left running; returns how many were still alive. */
  sweepLeftovers(graceMs?: number): Promise<number>;
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or undefined when it is gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Creates the {@link PlannerRegistry} of `dataDir`. */
export function createPlannerRegistry(dataDir: string): PlannerRegistry {
  const folder = join(dataDir, "sessions", "planners");
  const fileOf = (pid: number) => join(folder, `${pid}.json`);
  return {
    started(pid) {
      try {
        makeFoldersSync(folder, 0o700);
        const record: PlannerRecord = {
          pid,
          start_ticks: processStartTicks(pid) ?? "",
          started_at: new Date().toISOString(),
        };
        const fd = openSync(
          fileOf(pid),
          constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
          0o600,
        );
        try {
          writeSync(fd, JSON.stringify(record));
        } finally {
          closeSync(fd);
        }
      } catch {
        // Best effort: a record that cannot be written only loses the leftover sweep for this turn.
      }
    },
    ended(pid) {
      rmSync(fileOf(pid), { force: true });
    },
    async sweepLeftovers(graceMs = 2000) {
      let names: string[];
      try {
        names = readdirSync(folder).filter((name) => /^\d+\.json$/.test(name));
      } catch {
        return 0;
      }
      const alive: number[] = [];
      for (const name of names) {
        let record: PlannerRecord | undefined;
        try {
          record = JSON.parse(readFileSync(join(folder, name), "utf8")) as PlannerRecord;
        } catch {
          record = undefined;
        }
        if (
          record &&
          Number.isInteger(record.pid) &&
          record.pid > 1 &&
          record.start_ticks &&
          processStartTicks(record.pid) === record.start_ticks
        ) {
          alive.push(record.pid);
          signalGroup(record.pid, "SIGTERM");
        }
        rmSync(join(folder, name), { force: true });
      }
      if (alive.length) {
        const deadline = Date.now() + graceMs;
        while (Date.now() < deadline && alive.some((pid) => processStartTicks(pid) !== undefined && !isZombie(pid)))
          await new Promise((resolve) => setTimeout(resolve, 50));
        for (const pid of alive) signalGroup(pid, "SIGKILL");
      }
      return alive.length;
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}
