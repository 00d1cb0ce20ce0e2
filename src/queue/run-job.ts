import type { RunPush } from "../deliver/push-run.ts";
import type { FixableField } from "../projects/error-fix.ts";
import type { OperatorProblem } from "../projects/operator-fix.ts";
import { z } from "zod";
import { validateBaseBranch, validateBranch, validateRepo, validateSlug } from "../projects/validation.ts";

/**
 * What travels through Redis for one run. The bot puts in the project's coordinates and its two planning
 * files; the worker streams progress and returns the outcome with the final prd.json. Nothing else —
 * no tokens, no store — goes through the queue.
 */
export const RunJobDataSchema = z.object({
  slug: z.string(),
  repo: z.string(),
  branch: z.string().nullable(),
  base: z.string(),
  finalPlan: z.string().nullable(),
  prd: z.string().nullable(),
  queuedAt: z.string(),
});
export type RunJobData = z.infer<typeof RunJobDataSchema>;

/**
 * One progress sample a worker sends while Ralph works; the bot turns it into a {@link RunProgress}
 * (src/execute/run-progress.ts). Fields added after the first release are optional: an older worker's
 * samples still count.
 */
export interface RunJobProgress {
  /** `preparing`: the preflight passed and Ralph was launched (the bot records the run running from it). */
  phase: "preparing" | "running";
  worker: string;
  /** When this worker began the run (ISO): the run's id in progress messages, stable across bot restarts. */
  startedAt?: string;
  storiesDone: number;
  storiesTotal: number;
  /** The story Ralph works on now: the first one not passing, by priority. */
  currentStory?: { id: string; title: string } | null;
  iteration: number;
  maxIterations?: number | null;
  commits: number;
  /** Subject of the newest commit since the run began. */
  lastCommit?: string | null;
  /** Subjects of the run's newest commits (at most 3, newest first). */
  recentCommits?: string[];
  /** When prd.json or Ralph's log last changed on the worker (ISO). */
  lastActivityAt?: string;
  logTail: string;
  /** prd.json as Ralph left it at this moment; the bot writes it into its own workspace. */
  prd: string | null;
}

/** What a worker returns when a run ended (also for a run that failed before Ralph started). */
export interface RunJobResult {
  /**
   * `refused`: the worker's preflight refused the run before anything ran (as the local executor refuses
   * one): the project stays approved and its chats hear `error`, which says what to fix.
   */
  outcome: "complete" | "blocked" | "failed" | "cancelled" | "refused";
  summary: string;
  error: string | null;
  /** Which preflight check refused the run (`details.check` of the refusal), when one did. */
  check?: string;
  /** Where the member can fix the refusal in the project's repository (Ralph's script to commit as executable, or a Ralph file to add). */
  repoPath?: string;
  /** The workspace file the refusal is about (`details.path`: Ralph's script as RALPH_COMMAND configures it, its prompt file). */
  path?: string;
  /**
   * The project field whose edit fixes `error` (a base branch the remote lacks, a repo that cannot be cloned),
   * when the failure says so: the bot stores it beside the error, as for a local run (error-fix.ts).
   */
  fix?: FixableField;
  /** Whether only the worker's operator can fix `error` (a workspace folder in the way): stored as for a local run. */
  operator?: OperatorProblem;
  worker: string;
  exitCode: number | null;
  branch: string | null;
  prd: string | null;
  /** The run's commits on the worker (the bot's workspace has no clone): count and newest subjects. */
  commits?: { count: number; subjects: string[] } | null;
  /** The worker's push; the bot adds the pull request it opened (it holds GITHUB_TOKEN, the worker needs none). */
  delivery: (RunPush & { pullRequest?: { url: string; number: number } }) | null;
}

/** Validates job data read from Redis: every name ends up as a git argument or a path on the worker. */
export function parseRunJob(data: unknown): { ok: true; job: RunJobData } | { ok: false; message: string } {
  const parsed = RunJobDataSchema.safeParse(data);
  if (!parsed.success) return { ok: false, message: `malformed job: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  const job = parsed.data;
  const problem =
    validateSlug(job.slug) ??
    validateRepo(job.repo) ??
    (job.branch ? validateBranch(job.branch, "branch") : undefined) ??
    validateBaseBranch(job.base);
  return problem ? { ok: false, message: problem } : { ok: true, job };
}

/** A run's job id: the slug plus a run id, so one project's runs never share an id (BullMQ ids must not contain ':'). */
export function runJobId(slug: string, at: Date): string {
  return `${slug}__${at.getTime().toString(36)}`;
}

/** The slug of a run's job id. */
export function slugOfJob(jobId: string): string {
  return jobId.split("__")[0] ?? jobId;
}

/** The Redis key a bot sets to ask the worker of an active run to stop it. */
export function cancelKey(jobId: string): string {
  return `planbot:cancel:${jobId}`;
}

/**
 * A worker's way forward for a failed run, as the `details` a local failure carries: the field to edit
 * (`next: "edit"`) and whether only the operator can fix it, for the bot to store and each surface to word.
 */
export function remoteFixDetails(result: Pick<RunJobResult, "fix" | "operator">): Record<string, unknown> {
  return {
    ...(result.fix ? { next: "edit", field: result.fix } : {}),
    ...(result.operator ? { operator: result.operator } : {}),
  };
}
