import { z } from "zod";

/**
 * Schemas of the files planbot shares with the echo-core tools. Every object is loose: fields another
 * tool wrote survive our rewrite untouched, which is the contract in docs/architecture.md ("Files").
 */

const nullableString = z.string().nullable().optional();

/**
 * One entry of `approved-tasks.json` (echo-core's field names). No defaults: the store mutates the raw
 * object it read, so a field we never touch is written back exactly as another tool left it.
 */
export const ProjectEntrySchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  status: z.string().optional(),
  planning_session_id: nullableString,
  final_plan_path: nullableString,
  repo: nullableString,
  branch: nullableString,
  base_branch: nullableString,
  proposed_at: nullableString,
  approved_at: nullableString,
  started_at: nullableString,
  pid: z.number().int().nullable().optional(),
  error: nullableString,
  // Written by src/deliver; read through readPullRequest/readDelivery, so another tool's odd value there
  // never makes the whole file unreadable.
  pull_request: z.unknown().optional(),
  delivery: z.unknown().optional(),
});
export type ProjectEntry = z.infer<typeof ProjectEntrySchema>;

/** The draft pull request planbot opened (or last updated) for the project's branch. */
export const PullRequestFieldSchema = z.looseObject({
  url: z.string(),
  number: z.number().int(),
  updated_at: z.string(),
});
export type PullRequestField = z.infer<typeof PullRequestFieldSchema>;

/** How the last delivery (push + pull request) after a run went: `summary` and `hint` are for people. */
export const DeliveryFieldSchema = z.looseObject({
  at: z.string(),
  ok: z.boolean(),
  pushed: z.boolean(),
  branch: z.string(),
  summary: z.string(),
  hint: z.string().nullable().optional(),
  /** The hint names what only planbot's operator can change on the server: chats say to tell the admin. */
  hint_operator: z.boolean().optional(),
  /**
   * A failure a chat member can partly fix: what went wrong, the member's step and the operator's part
   * (src/deliver/delivery-split.ts reads them; left unknown here, so another version's value never hides the delivery).
   */
  problem: z.unknown().optional(),
  next: z.unknown().optional(),
  operator: z.unknown().optional(),
  /**
   * The chat whose `/deliver` this delivery answered (its conversation key, "<adapter>:<channel>[:<thread>]"):
   * the reply told it there, so the notifier tells only the project's other chats. Unknown here, like the split,
   * so another tool's value never hides the delivery.
   */
  answered_in: z.unknown().optional(),
  /**
   * The `planbot worker` that ran the run and pushed (or could not push) its branch (src/queue): the run's
   * commits stay on its disk, so what it did not push is not delivered again from planbot's copy.
   */
  worker: z.unknown().optional(),
});
export type DeliveryField = z.infer<typeof DeliveryFieldSchema>;

/** The entry's pull request, or null when absent or not in planbot's shape. */
export function readPullRequest(entry: Pick<ProjectEntry, "pull_request"> | undefined): PullRequestField | null {
  // Most entries have none: zod's refusal of a missing value builds an error, several times this check's cost.
  if (entry?.pull_request == null) return null;
  const parsed = PullRequestFieldSchema.safeParse(entry?.pull_request);
  return parsed.success ? parsed.data : null;
}

/** The entry's last delivery, or null when absent or not in planbot's shape. */
export function readDelivery(entry: Pick<ProjectEntry, "delivery"> | undefined): DeliveryField | null {
  if (entry?.delivery == null) return null;
  const parsed = DeliveryFieldSchema.safeParse(entry?.delivery);
  return parsed.success ? parsed.data : null;
}

/**
 * The last run the preflight refused, on a worker (src/queue) or here (src/execute): nothing ran and the
 * project stayed approved; `message` says why and what to fix. Announced once per `at` by the notifier,
 * unless `answered` (the person who asked with `/run` was told in the reply).
 */
export const RunRefusalFieldSchema = z.looseObject({
  at: z.string(),
  message: z.string(),
  worker: z.string().nullable().optional(),
  check: z.string().nullable().optional(),
  /** Where the member can fix it in the project's repository (Ralph's script to commit as executable, or a Ralph file to add). */
  repo_path: z.string().nullable().optional(),
  /**
   * The file inside the project's workspace the refusal is about (Ralph's script as RALPH_COMMAND configures
   * it, or its prompt file), so chats name it long after the run; `message` names it by its server path.
   */
  path: z.string().nullable().optional(),
  answered: z.boolean().optional(),
});
export type RunRefusalField = z.infer<typeof RunRefusalFieldSchema>;

/** The entry's last refused run, or null when absent or not in planbot's shape. */
export function readRunRefusal(entry: { run_refusal?: unknown } | undefined): RunRefusalField | null {
  if (entry?.run_refusal == null) return null;
  const parsed = RunRefusalFieldSchema.safeParse(entry?.run_refusal);
  return parsed.success ? parsed.data : null;
}

/** The whole `approved-tasks.json`. */
export const TasksFileSchema = z.looseObject({
  projects: z.array(ProjectEntrySchema).optional(),
  last_updated: z.string().nullable().optional(),
  version: z.number().int().nonnegative().optional(),
});
export type TasksFile = z.infer<typeof TasksFileSchema>;

/** One Ralph user story (snarktank/ralph's prd.json). */
export const UserStorySchema = z.looseObject({
  id: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  acceptanceCriteria: z.array(z.string()),
  priority: z.number().int(),
  passes: z.boolean(),
  notes: z.string(),
  blocked: z.boolean().optional(),
  failed: z.boolean().optional(),
});
export type UserStory = z.infer<typeof UserStorySchema>;

/** Ralph's `prd.json`, validated strictly when planbot writes one. */
export const PrdSchema = z.looseObject({
  project: z.string().min(1),
  branchName: z.string().min(1),
  description: z.string(),
  userStories: z.array(UserStorySchema).min(1),
});
export type Prd = z.infer<typeof PrdSchema>;

/** A prd.json as read for status: tolerant, because Ralph and people edit it by hand. */
export const LoosePrdSchema = z.looseObject({
  branchName: z.string().optional(),
  userStories: z
    .array(
      z.looseObject({
        id: z.unknown().optional(),
        title: z.unknown().optional(),
        passes: z.unknown().optional(),
        blocked: z.unknown().optional(),
        failed: z.unknown().optional(),
      }),
    )
    .optional(),
});
export type LoosePrd = z.infer<typeof LoosePrdSchema>;

/** Formats a zod error as one line: `path: problem; path: problem`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
