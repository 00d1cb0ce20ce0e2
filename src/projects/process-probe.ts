import { readFileSync } from "node:fs";

/** What is known about a recorded PID. */
export interface ProcessInfo {
  alive: boolean;
  /** The command line with NULs turned into spaces; empty when unreadable. */
  commandLine: string;
}

/** Port for looking at processes, so status derivation is testable without real PIDs. */
export interface ProcessProbe {
  inspect(pid: number | null | undefined): ProcessInfo;
}

const DEAD: ProcessInfo = { alive: false, commandLine: "" };

/**
 * Linux /proc probe. A zombie counts as dead: Ralph that exited but was not reaped yet has finished,
 * and signal 0 alone would still call it alive.
 */
export const procProbe: ProcessProbe = {
  inspect(pid) {
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return DEAD;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EPERM") return DEAD;
    }
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") return DEAD;
    } catch {
      // No /proc (not Linux) or the process just went: trust signal 0.
    }
    let commandLine = "";
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    } catch {
      commandLine = "";
    }
    return { alive: true, commandLine };
  },
};
