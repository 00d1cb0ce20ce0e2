import type { LoosePrd, ProjectEntry } from "./schemas.ts";
import type { ProcessInfo } from "./process-probe.ts";
import { defaultRalphSignature, type RalphSignature } from "./ralph-signature.ts";

/** Echo-core's nine UI states, plus `cancelled` (echo-core showed a cancelled project as idle). */
export const PROJECT_STATUSES = [
  "running-ralph",
  "running-manual",
  "planning",
  "approved",
  "pending",
  "blocked",
  "failed",
  "complete",
  "idle",
  "cancelled",
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** Inputs of {@link deriveStatus}. */
export interface StatusInputs {
  entry?: (Pick<ProjectEntry, "status" | "pid"> & { queue_run?: unknown }) | undefined;
  prd?: LoosePrd | null | undefined;
  process: ProcessInfo;
  /** Recognises the configured Ralph in a command line (default: snarktank/ralph's ralph.sh). */
  isRalph?: RalphSignature | undefined;
}

/**
 * One status per project, with echo-core's precedence: a live PID wins ({@link liveStatus}); then the
 * entry's own status (a person set it); then the PRD's stories. `complete` in the entry falls through to
 * the PRD like echo-core's dashboard. A cancelled entry reads as `cancelled`, never as `idle`: echo-core's
 * idle invited an Approve nobody meant.
 */
export function deriveStatus({ entry, prd, process, isRalph }: StatusInputs): ProjectStatus {
  const own = (entry?.status ?? "").toLowerCase();
  if (process.alive) return liveStatus(process.commandLine, own, isRalph);
  // A run on a `planbot worker` (src/queue) has no PID here: the bot records it as running with its job.
  if (own === "running" && (entry?.queue_run as { state?: unknown } | undefined)?.state === "running")
    return "running-ralph";
  if (own === "planning" || own === "approved" || own === "pending" || own === "failed") return own;
  if (own === "cancelled" || own === "canceled") return "cancelled";
  const stories = prd?.userStories ?? [];
  if (stories.length === 0) return "idle";
  if (stories.every((story) => story.passes === true)) return "complete";
  const incomplete = stories.filter((story) => story.passes !== true);
  if (incomplete.every((story) => story.blocked === true)) return "blocked";
  if (stories.some((story) => story.failed === true)) return "failed";
  return "idle";
}

/**
 * What a live recorded PID runs: the script RALPH_COMMAND configures in its command line (`isRalph`, see
 * ralph-signature.ts) → running-ralph, else running-manual. A
 * command line that reads empty is a process between two programs: inside execve the kernel has swapped
 * in the new program but not yet its arguments, which happens each time Ralph's gate `exec`s the script and
 * its shebang `exec`s bash. That says nothing about what runs, so a PID planbot recorded as Ralph's (entry
 * `running`) stays running-ralph; reading it as running-manual for that instant would record a transition
 * (and lose or repeat the "Ralph started" notice) that never happened.
 */
export function liveStatus(
  commandLine: string,
  own: string,
  isRalph: RalphSignature = defaultRalphSignature,
): "running-ralph" | "running-manual" {
  if (isRalph(commandLine)) return "running-ralph";
  return commandLine === "" && own === "running" ? "running-ralph" : "running-manual";
}

/** Story counts of a PRD, plus the ids of blocked and failed stories for notifications. */
export interface StoryProgress {
  total: number;
  done: number;
  blocked: string[];
  failed: string[];
}

/** Counts stories the way echo-core's dashboard did (`passes` truthy = done). */
export function storyProgress(prd: LoosePrd | null | undefined): StoryProgress {
  const stories = prd?.userStories ?? [];
  const idOf = (story: { id?: unknown; title?: unknown }, index: number) =>
    typeof story.id === "string" ? story.id : typeof story.title === "string" ? story.title : `#${index + 1}`;
  return {
    total: stories.length,
    done: stories.filter((story) => story.passes === true).length,
    blocked: stories.flatMap((story, index) =>
      story.passes !== true && story.blocked === true ? [idOf(story, index)] : [],
    ),
    failed: stories.flatMap((story, index) =>
      story.passes !== true && story.failed === true ? [idOf(story, index)] : [],
    ),
  };
}

/** Statuses with work still ahead of Ralph: only these have an ETA. */
const STATUSES_WITH_ETA: ReadonlySet<ProjectStatus> = new Set(["approved", "running-ralph", "running-manual"]);

/**
 * Echo-core's crude ETA: twelve minutes per remaining story. Null without stories, and null unless Ralph
 * has work ahead (approved or running): a failed, blocked, complete or cancelled project waits on a person,
 * and "about 24 min left" on it would promise a finish nobody is working towards. So does an approved
 * project whose last run was `refused` (its run_refusal holds): it cannot start until someone fixes it.
 */
export function etaSeconds(progress: StoryProgress, status: ProjectStatus, refused = false): number | null {
  if (progress.total <= 0 || !STATUSES_WITH_ETA.has(status) || refused) return null;
  return Math.max(0, progress.total - progress.done) * 12 * 60;
}

/**
 * The branch Ralph works on, decided the way the executor decides it (src/execute/run-plan.ts): the
 * project's own branch, else prd.json's `branchName`, else `ralph/<slug>`. Every surface names this one,
 * so none guesses a branch Ralph never touches.
 */
export function projectBranch(
  slug: string,
  entry: Pick<ProjectEntry, "branch"> | undefined,
  prd: LoosePrd | null | undefined,
): string {
  return entry?.branch?.trim() || prd?.branchName?.trim() || `ralph/${slug}`;
}
