import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeFoldersSync } from "../projects/make-folders.ts";

/** Where `planbot start` tells other processes (`planbot doctor`) how its adapters are doing. */
export const ADAPTER_STATUS_FILE = "adapters.json";

/** One adapter as the running planbot sees it. */
export interface AdapterState {
  state: "running" | "retrying" | "disabled" | "stopped";
  /** Why it is disabled, or the last start-up error. */
  reason?: string | undefined;
  attempts?: number | undefined;
  /** When the next start attempt is due (retrying only). */
  nextAttemptAt?: string | undefined;
  since: string;
}

/** The status file's content: the process that wrote it, and each adapter. */
export interface AdapterStatusFile {
  pid: number;
  updatedAt: string;
  adapters: Record<string, AdapterState>;
}

/** Keeps the adapters' states in memory and mirrors them to `<dataDir>/adapters.json` on every change. */
export interface AdapterStatusBoard {
  set(adapter: string, state: Omit<AdapterState, "since">): void;
  all(): Record<string, AdapterState>;
}

/** Creates a board for a data dir; a write that fails is ignored (the status file is a report, not state). */
export function createAdapterStatusBoard(dataDir: string, now: () => Date = () => new Date()): AdapterStatusBoard {
  const adapters: Record<string, AdapterState> = {};
  const write = () => {
    const file = join(dataDir, ADAPTER_STATUS_FILE);
    const body: AdapterStatusFile = { pid: process.pid, updatedAt: now().toISOString(), adapters };
    try {
      makeFoldersSync(dataDir);
      writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
      renameSync(`${file}.${process.pid}.tmp`, file);
    } catch {
      // Reporting only.
    }
  };
  return {
    set(adapter, state) {
      const previous = adapters[adapter];
      adapters[adapter] = { ...state, since: previous?.state === state.state ? previous.since : now().toISOString() };
      write();
    },
    all: () => structuredClone(adapters),
  };
}

/** The status a running planbot last wrote, if any (and whether that process still runs). */
export function readAdapterStatus(dataDir: string): (AdapterStatusFile & { alive: boolean }) | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, ADAPTER_STATUS_FILE), "utf8")) as AdapterStatusFile;
    let alive = false;
    try {
      process.kill(parsed.pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    return { ...parsed, alive };
  } catch {
    return undefined;
  }
}

/** Doctor lines for the adapters of the planbot running on a data dir (none when no planbot start has run). */
export function adapterChecks(dataDir: string): { level: "ok" | "warn" | "fail"; name: string; detail: string }[] {
  const status = readAdapterStatus(dataDir);
  if (!status) return [];
  if (!status.alive)
    return [{ level: "ok", name: "planbot start", detail: `not running (last seen ${status.updatedAt})` }];
  return Object.entries(status.adapters).map(([name, adapter]) => {
    if (adapter.state === "retrying") {
      return {
        level: "warn" as const,
        name: `adapter ${name}`,
        detail: `cannot start (${adapter.attempts} attempts): ${adapter.reason}; next attempt ${adapter.nextAttemptAt}`,
      };
    }
    const detail =
      adapter.state === "disabled" ? `disabled (${adapter.reason})` : `${adapter.state} since ${adapter.since}`;
    return { level: "ok" as const, name: `adapter ${name}`, detail };
  });
}
