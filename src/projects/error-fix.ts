import { asOperatorProblem, type OperatorProblem, operatorProblemOf } from "./operator-fix.ts";
import type { Failure } from "./result.ts";
import type { ProjectEntry } from "./schemas.ts";

/**
 * Which field of a project would fix its stored `error` (a base branch that does not exist, a repo that
 * cannot be cloned), kept next to the error so status cards, notices and `planbot projects show` can name
 * the way to set it — `/edit <slug> --base M` in a chat, `planbot projects edit` in a terminal — long after
 * the run that failed. Stored with the error's text: a later, different error makes it stale, never wrong.
 * It also keeps whether only planbot's operator can fix the error on the server (`operator`, operator-fix.ts),
 * so chats word it for their members long after the run, where the CLI shows the operator's message.
 */
export const ERROR_FIX_FIELD = "error_fix";

/** The fields a failure can ask to set, and their placeholders as `/edit` and the CLI spell them. */
export const FIXABLE_FIELDS = { repo: "R", branch: "B", base: "M" } as const;
export type FixableField = keyof typeof FIXABLE_FIELDS;

/** The field a failure's `details` ask to set (`next: "edit"`, `field`), base when it names none. */
export function fixableField(failure: Pick<Failure, "details"> | undefined): FixableField | undefined {
  if (failure?.details?.next !== "edit") return undefined;
  const field = failure.details.field;
  return typeof field === "string" && field in FIXABLE_FIELDS ? (field as FixableField) : "base";
}

/**
 * The member's part of a fix split between a chat member and planbot's operator (a failure that carries
 * `details.operator` too): set a field of the project (`next: "edit"`), or commit a file of the project's
 * repository as executable (`next: "commit_executable"`), or add a file missing from it on its base branch
 * (`next: "add_file"`: Ralph's script or prompt file), `details.path` inside the repository. Each surface
 * words it; the rest of the fix is the operator's.
 */
export type MemberStep =
  | { kind: "edit"; field: FixableField }
  | { kind: "commit_executable"; path: string }
  | { kind: "add_file"; path: string };

/** The repository path a member's step names (a file to commit or add), if any: a stored refusal keeps it. */
export function stepRepoPath(step: MemberStep | undefined): string | undefined {
  return step && step.kind !== "edit" ? step.path : undefined;
}

/** The member's part of the fix of a stored error whose field is known (`error_fix`), if any. */
export function editStep(field: FixableField | null | undefined): MemberStep | undefined {
  return field ? { kind: "edit", field } : undefined;
}

/** The member's part of the fix a failure's `details` name, if any. */
export function memberStepOf(failure: Pick<Failure, "details"> | undefined): MemberStep | undefined {
  const field = fixableField(failure);
  if (field) return { kind: "edit", field };
  const path = failure?.details?.path;
  if (typeof path !== "string") return undefined;
  if (failure?.details?.next === "commit_executable") return { kind: "commit_executable", path };
  if (failure?.details?.next === "add_file") return { kind: "add_file", path };
  return undefined;
}

/** Records (or clears) the fix of the `error` being stored on `entry`; the caller holds the store's lock. */
export function noteErrorFix(entry: ProjectEntry, error: string, failure: Pick<Failure, "details"> | undefined): void {
  const field = fixableField(failure);
  const operator = failure ? operatorProblemOf(failure) : undefined;
  const raw = entry as Record<string, unknown>;
  if (field || operator)
    raw[ERROR_FIX_FIELD] = { error, ...(field ? { field } : {}), ...(operator ? { operator } : {}) };
  else delete raw[ERROR_FIX_FIELD];
}

/** The field that fixes the entry's current error, or null (none recorded, or recorded for another error). */
export function readErrorFix(entry: ProjectEntry | undefined): FixableField | null {
  const value = (entry as Record<string, unknown> | undefined)?.[ERROR_FIX_FIELD] as
    | { error?: unknown; field?: unknown }
    | undefined;
  if (!entry?.error || !value || value.error !== entry.error) return null;
  return typeof value.field === "string" && value.field in FIXABLE_FIELDS ? (value.field as FixableField) : null;
}

/** The operator's problem the entry's current error is, or null (none recorded, or recorded for another error). */
export function readErrorOperator(entry: ProjectEntry | undefined): OperatorProblem | null {
  const value = (entry as Record<string, unknown> | undefined)?.[ERROR_FIX_FIELD] as
    | { error?: unknown; operator?: unknown }
    | undefined;
  if (!entry?.error || !value || value.error !== entry.error) return null;
  return asOperatorProblem(value.operator) ?? null;
}
