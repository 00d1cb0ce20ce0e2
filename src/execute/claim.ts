import { randomBytes } from "node:crypto";
import type { ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectEntry } from "../projects/schemas.ts";

/** The entry field marking a project whose workspace a planbot process is preparing (clone, branch) for a run. */
export const CLAIM_FIELD = "executor_claim";

/**
 * Who is preparing a run: the planbot process, a token telling executors of one process apart, and since
 * when. While it is present the entry keeps its `approved` status — the derived status and notifications
 * do not flicker through a stale PRD state — and a second executor (another process, or `planbot
 * execute` next to `planbot start`) leaves the project alone. A claim whose process is dead is stale and
 * is taken over, so a planbot killed mid-clone just leaves the project approved for the next run.
 */
export interface ExecutorClaim {
  pid: number;
  token: string;
  since: string;
}

/** A fresh claim for this process. */
export function newClaim(since: string): ExecutorClaim {
  return { pid: process.pid, token: randomBytes(6).toString("hex"), since };
}

/** The entry's claim, if it has a well-formed one. */
export function readClaim(entry: ProjectEntry): ExecutorClaim | undefined {
  const value = (entry as Record<string, unknown>)[CLAIM_FIELD];
  if (!value || typeof value !== "object") return undefined;
  const { pid, token, since } = value as Record<string, unknown>;
  return typeof pid === "number" && typeof token === "string" && typeof since === "string"
    ? { pid, token, since }
    : undefined;
}

/** A claim held by a live process other than `mine`, else undefined. */
export function liveForeignClaim(
  entry: ProjectEntry,
  probe: ProcessProbe,
  mine?: ExecutorClaim,
): ExecutorClaim | undefined {
  const claim = readClaim(entry);
  if (!claim || (mine && claim.token === mine.token)) return undefined;
  return probe.inspect(claim.pid).alive ? claim : undefined;
}

/** True when the entry holds exactly `claim`. */
export function holdsClaim(entry: ProjectEntry, claim: ExecutorClaim): boolean {
  const current = readClaim(entry);
  return current?.token === claim.token && current.pid === claim.pid;
}

/** Writes or removes the claim on an entry (inside a store mutation). */
export function setClaim(entry: ProjectEntry, claim: ExecutorClaim | undefined): void {
  const record = entry as Record<string, unknown>;
  if (claim) record[CLAIM_FIELD] = { ...claim };
  else delete record[CLAIM_FIELD];
}
