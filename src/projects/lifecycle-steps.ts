/**
 * The changes each lifecycle step makes to one entry of approved-tasks.json, and the checks that guard
 * them, as small functions of the entry: {@link createLifecycle} runs them inside a store mutation, so
 * the rules read in one place without the locking around them.
 */
import { deriveStatus } from "./derive-status.ts";
import type { ProcessProbe } from "./process-probe.ts";
import { readPrd } from "./workspace-reads.ts";
import { fail, type Failure, type Result } from "./result.ts";
import { clearRunRefusal } from "./run-refusal-field.ts";
import type { ProjectEntry } from "./schemas.ts";
import { validateBaseBranch, validateBranch, validateDescription, validateRepo, validateSlug } from "./validation.ts";
import { workspacePaths } from "./workspace.ts";

/** What a person asks for when proposing a project. */
export interface Proposal {
  slug: string;
  description: string;
  repo?: string | undefined;
  branch?: string | undefined;
  base?: string | undefined;
}

/** A change to one entry; a failed Result refuses the step and leaves the store as it was. */
export type EntryChange = (entry: ProjectEntry) => Result<object> | void;

/** Statuses the approval guard protects: re-planning them would throw away an agreed plan. */
const COMMITTED = new Set(["approved", "running", "complete", "completed"]);

/** `invalid_slug` naming the problem, or ok. */
export function checkSlug(slug: string): Result<object> {
  const problem = validateSlug(slug);
  return problem ? fail("invalid_slug", problem, { fields: { slug: problem } }) : { ok: true };
}

/** Every invalid field of a proposal, keyed as the HTTP API names them (empty when all are valid). */
export function proposalProblems(proposal: Proposal): Record<string, string> {
  const fields: Record<string, string> = {};
  const slugProblem = validateSlug(proposal.slug);
  if (slugProblem) fields.slug = slugProblem;
  const descriptionProblem = validateDescription(proposal.description);
  if (descriptionProblem) fields.description = descriptionProblem;
  return { ...fields, ...targetProblems(proposal) };
}

/**
 * The invalid ones among a project's repo, branch and base as given (absent ones are not checked), keyed as
 * the HTTP API names them: what a proposal and an edit both check before any name can reach git.
 */
export function targetProblems(target: {
  repo?: string | undefined;
  branch?: string | undefined;
  base?: string | undefined;
}) {
  const fields: Record<string, string> = {};
  const repoProblem = target.repo === undefined ? undefined : validateRepo(target.repo);
  if (repoProblem) fields.repo = repoProblem;
  const branchProblem = target.branch === undefined ? undefined : validateBranch(target.branch, "branch");
  if (branchProblem) fields.branch = branchProblem;
  const baseProblem = target.base === undefined ? undefined : validateBaseBranch(target.base);
  if (baseProblem) fields.base_branch = baseProblem;
  return fields;
}

/** A new entry in `status`, proposed at `at`, with nothing planned, approved or started yet. */
export function newEntry(
  fields: {
    name: string;
    description: string;
    status: string;
    repo?: string | undefined;
    branch?: string | undefined;
    base?: string | undefined;
  },
  at: string,
): ProjectEntry {
  return {
    name: fields.name,
    description: fields.description,
    status: fields.status,
    planning_session_id: null,
    final_plan_path: null,
    repo: fields.repo ?? null,
    branch: fields.branch ?? null,
    base_branch: fields.base ?? null,
    proposed_at: at,
    approved_at: null,
    started_at: null,
    pid: null,
  };
}

/** `duplicate_slug` for a proposal whose slug is taken by `existing`. */
export function duplicateSlug(slug: string, existing: ProjectEntry): Failure {
  return fail(
    "duplicate_slug",
    `A project named "${existing.name}" already exists (status ${existing.status ?? "unknown"}); pick another slug.`,
    { details: { slug, status: existing.status } },
  );
}

/** Approves (at `now()`, read under the lock), unless its Ralph still runs; a past error and refusal are cleared. */
export function approveChange(probe: ProcessProbe, now: () => string): EntryChange {
  return (entry) => {
    if (probe.inspect(entry.pid ?? null).alive) {
      return fail("invalid_state", `"${entry.name}" is running (PID ${entry.pid}); wait for it to finish.`);
    }
    entry.status = "approved";
    entry.approved_at = now();
    entry.error = null;
    clearRunRefusal(entry);
  };
}

/** Back to pending, approval withdrawn. */
export const unapproveChange: EntryChange = (entry) => {
  entry.status = "pending";
  entry.approved_at = null;
  clearRunRefusal(entry);
};

/**
 * Cancelled, unless its work is finished: a complete project (every story passes, no process runs it) has
 * nothing left to cancel, and "cancelled" would hide work that is done. A running one is cancelled (and its
 * Ralph stopped by the caller).
 */
export function cancelChange(probe: ProcessProbe, workspaceDir: string): EntryChange {
  return (entry) => {
    const prd = readPrd(workspacePaths(workspaceDir, entry.name).prd);
    if (deriveStatus({ entry, prd, process: probe.inspect(entry.pid ?? null) }) === "complete")
      return finishedWork(entry, prd?.userStories?.length ?? 0);
    entry.status = "cancelled";
    clearRunRefusal(entry);
  };
}

/** `invalid_state` for cancelling a complete project: what is wrong, that nothing changed, what to do instead. */
function finishedWork(entry: ProjectEntry, stories: number): Failure {
  return fail(
    "invalid_state",
    `"${entry.name}" is complete: all ${stories} of its stories pass, so there is nothing left to cancel, and nothing was changed. Its branch and plan stay as they are; to build more on it, plan it again.`,
    { details: { slug: entry.name, status: "complete" } },
  );
}

/** Planning ended with the plan at `finalPlanPath`: approved (at `now()`), the session unlinked. */
export function finalizeChange(finalPlanPath: string, now: () => string): EntryChange {
  return (entry) => {
    entry.status = "approved";
    entry.approved_at = now();
    entry.planning_session_id = null;
    entry.final_plan_path = finalPlanPath;
    entry.error = null;
    clearRunRefusal(entry);
  };
}

/** Planning abandoned: a `planning` project goes back to `pending`, the session is unlinked. */
export const cancelPlanningChange: EntryChange = (entry) => {
  if ((entry.status ?? "").toLowerCase() === "planning") entry.status = "pending";
  entry.planning_session_id = null;
};

/** The status that matters for the re-planning guard: a live PID or a finished PRD counts even when the entry says otherwise. */
export function committedStatus(entry: ProjectEntry, probe: ProcessProbe, workspaceDir: string): string | undefined {
  if (probe.inspect(entry.pid ?? null).alive) return "running";
  const own = (entry.status ?? "").toLowerCase();
  const prd = readPrd(workspacePaths(workspaceDir, entry.name).prd);
  // Approved as is, before any plan: planning it replaces nothing, and it is what /approve's reply and the
  // dashboard tell the person to do next.
  if (own === "approved" && !prd && !entry.final_plan_path) return undefined;
  if (COMMITTED.has(own)) return own === "completed" ? "complete" : own;
  const stories = prd?.userStories ?? [];
  if (stories.length > 0 && stories.every((story) => story.passes === true)) return "complete";
  return undefined;
}

/** `already_committed`: re-planning `entry` would replace its agreed plan. */
export function alreadyCommitted(entry: ProjectEntry, committed: string): Failure {
  return fail(
    "already_committed",
    `"${entry.name}" is already ${committed}. Re-planning replaces its plan: use /replan ${entry.name} --force (admins) to do it anyway.`,
    { details: { slug: entry.name, status: committed } },
  );
}

/** `invalid_description`: planning a project that does not exist yet needs a description to create it. */
export function descriptionRequired(slug: string): Failure {
  return fail(
    "invalid_description",
    `"${slug}" is not proposed yet: give a description, e.g. /plan ${slug} A todo app with reminders.`,
    { fields: { description: "description required" } },
  );
}

/** An existing entry moves to `planning`; it keeps its description unless it had none. */
export function replanChange(text: string): EntryChange {
  return (entry) => {
    entry.status = "planning";
    clearRunRefusal(entry);
    if (!entry.description && text) entry.description = text;
  };
}
