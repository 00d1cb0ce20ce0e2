/**
 * Editing a proposed project: its repo, branch, base or description, so a wrong one can be fixed without
 * cancelling and proposing again (which would lose the slug's plan and history). The rules, and why they
 * are what they are, are in docs/architecture.md ("Editing a project").
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ProcessProbe } from "./process-probe.ts";
import { findProject, type MutateOptions, type ProjectStore } from "./project-store.ts";
import { fail, type Failure, type Result } from "./result.ts";
import { readDelivery, readPullRequest, type ProjectEntry } from "./schemas.ts";
import { validateDescription } from "./validation.ts";
import { checkSlug, targetProblems } from "./lifecycle-steps.ts";
import { workspacePaths } from "./workspace.ts";
import { cloneData } from "./clone-data.ts";

/** What a person asks to change; absent fields stay as they are. */
export interface ProjectEdit {
  repo?: string | undefined;
  branch?: string | undefined;
  base?: string | undefined;
  description?: string | undefined;
}

/** The fields an edit can change, as people name them (`base` is stored as `base_branch`). */
export type EditField = "repo" | "branch" | "base" | "description";
export const EDIT_FIELDS: readonly EditField[] = ["repo", "branch", "base", "description"];

/** One field an edit changed: its value before (null when unset) and after. */
export interface FieldChange {
  field: EditField;
  from: string | null;
  to: string;
}

/**
 * An edit's outcome: the entry as stored, the store's version, what changed (empty for a no-op), and —
 * when the repo changed but the workspace still holds a clone of the old one — that clone's folder: the
 * planner would read the old code and the next run refuses it until it is moved away (planbot never
 * deletes a workspace), so the surfaces say so.
 */
export type EditResult = Result<{
  entry: ProjectEntry;
  version: number;
  changes: FieldChange[];
  oldClone: string | null;
}>;

/** Where each field lives in approved-tasks.json (echo-core's names). */
const ENTRY_KEY = { repo: "repo", branch: "branch", base: "base_branch", description: "description" } as const;

/** The entry field the executor marks a run's preparation with (src/execute/claim.ts owns its shape). */
const CLAIM_FIELD = "executor_claim";
/** The entry field a queued run is recorded in (src/queue/queue-run.ts owns its shape). */
const QUEUE_RUN_FIELD = "queue_run";

/** Every invalid field of an edit, keyed as the HTTP API names them (as for a proposal). */
export function editProblems(edit: ProjectEdit): Record<string, string> {
  const fields = targetProblems(edit);
  if (edit.description !== undefined) {
    const problem = validateDescription(edit.description);
    if (problem) fields.description = problem;
  }
  return fields;
}

/** True when the edit names at least one field. */
export function editNamesAField(edit: ProjectEdit): boolean {
  return EDIT_FIELDS.some((field) => edit[field] !== undefined);
}

/** The fields whose asked value differs from the stored one. */
export function fieldChanges(entry: ProjectEntry, edit: ProjectEdit): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of EDIT_FIELDS) {
    const asked = edit[field];
    if (asked === undefined) continue;
    const to = field === "description" ? asked.trim() : asked;
    const stored = entry[ENTRY_KEY[field]];
    const from = typeof stored === "string" ? stored : null;
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

/** Why `entry` may not take `changes` now, or undefined when it may. */
export function editBlocker(entry: ProjectEntry, changes: FieldChange[], probe: ProcessProbe): Failure | undefined {
  const slug = entry.name;
  const refuse = (reason: string, message: string, extra: Record<string, unknown> = {}) =>
    fail("invalid_state", message, { details: { slug, reason, ...extra } });
  const status = (entry.status ?? "").toLowerCase();
  if (status === "planning" || entry.planning_session_id)
    return refuse(
      "planning",
      `"${slug}" is being planned right now, and the planner works from its repo, branch and description: finish or stop the planning first, then edit it.`,
    );
  const raw = entry as Record<string, unknown>;
  const queued = raw[QUEUE_RUN_FIELD] as { state?: unknown } | undefined;
  const claim = raw[CLAIM_FIELD] as { pid?: unknown } | undefined;
  const pid = entry.pid ?? null;
  if (probe.inspect(pid).alive || status === "running" || queued?.state === "running")
    return refuse(
      "running",
      `"${slug}" is running Ralph${pid ? ` (PID ${pid})` : ""} on its branch right now: wait for the run to end (or cancel it), then edit it.`,
    );
  if (queued?.state === "queued")
    return refuse(
      "queued",
      `"${slug}" has a run waiting in the queue, which will work on its current repo and branch: wait for it to end (or cancel it), then edit it.`,
    );
  if (typeof claim?.pid === "number" && probe.inspect(claim.pid).alive)
    return refuse(
      "preparing",
      `"${slug}" is being prepared for a run right now (cloning, checking out its branch): wait for the run to end (or cancel it), then edit it.`,
    );
  const moves = changes.filter((change) => change.field === "repo" || change.field === "branch");
  if (moves.length === 0) return undefined;
  const delivery = readDelivery(entry);
  const pullRequest = readPullRequest(entry);
  if (delivery?.pushed || pullRequest) {
    const where = pullRequest ? `, with pull request #${pullRequest.number} (${pullRequest.url})` : "";
    return refuse(
      "delivered",
      `"${slug}"'s work was already pushed to branch ${delivery?.branch ?? entry.branch ?? "?"}${where}: a new ${moves.map((change) => change.field).join(" or ")} would leave that work behind and start over elsewhere. Its base and description can still change; for another repository or branch, propose a new project.`,
      { fields: moves.map((change) => change.field) },
    );
  }
  return undefined;
}

/** Dependencies of {@link editProject}. */
export interface EditDeps {
  store: ProjectStore;
  probe: ProcessProbe;
  workspaceDir: string;
}

/**
 * Validates and applies `edit` to `slug` under the store lock. A no-op edit (every value as stored)
 * answers with no changes and writes nothing; a refused one (see {@link editBlocker}) writes nothing either.
 */
export async function editProject(
  deps: EditDeps,
  slug: string,
  edit: ProjectEdit,
  options?: MutateOptions,
): Promise<EditResult> {
  const slugCheck = checkSlug(slug);
  if (!slugCheck.ok) return slugCheck;
  if (!editNamesAField(edit))
    return fail("usage", "Nothing to change: give at least one of repo, branch, base or description.", {
      details: { slug, reason: "nothing_to_change" },
    });
  const fields = editProblems(edit);
  if (Object.keys(fields).length > 0)
    return fail("validation_failed", Object.values(fields).join(" "), { fields, details: { slug } });

  let unchanged: { entry: ProjectEntry; version: number } | undefined;
  let changes: FieldChange[] = [];
  const result = await deps.store.mutate((file) => {
    const entry = findProject(file, slug);
    if (!entry) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
    const found = fieldChanges(entry, edit);
    if (found.length === 0) {
      unchanged = { entry: cloneData(entry), version: file.version ?? 0 };
      // A failure leaves the file unwritten; the caller hears the no-op as a success with no changes.
      return fail("invalid_state", "unchanged");
    }
    const blocked = editBlocker(entry, found, deps.probe);
    if (blocked) return blocked;
    for (const change of found) entry[ENTRY_KEY[change.field]] = change.to;
    changes = found;
    return { ok: true, entry: cloneData(entry) };
  }, options);
  if (unchanged) return { ok: true, ...unchanged, changes: [], oldClone: null };
  if (!result.ok) return result;
  const root = workspacePaths(deps.workspaceDir, result.entry.name).root;
  const repoChanged = changes.some((change) => change.field === "repo");
  return { ...result, changes, oldClone: repoChanged && existsSync(join(root, ".git")) ? root : null };
}
