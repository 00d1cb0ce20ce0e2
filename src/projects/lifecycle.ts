import type { Clock } from "./clock.ts";
import {
  alreadyCommitted,
  approveChange,
  cancelChange,
  cancelPlanningChange,
  checkSlug,
  committedStatus,
  descriptionRequired,
  duplicateSlug,
  finalizeChange,
  newEntry,
  proposalProblems,
  replanChange,
  unapproveChange,
  type EntryChange,
  type Proposal,
} from "./lifecycle-steps.ts";
import { editProject, type EditResult, type ProjectEdit } from "./lifecycle-edit.ts";
import { procProbe, type ProcessProbe } from "./process-probe.ts";
import { findProject, type MutateOptions, type ProjectStore } from "./project-store.ts";
import { fail, type Result } from "./result.ts";
import type { ProjectEntry } from "./schemas.ts";
import { validateDescription } from "./validation.ts";
import { cloneData } from "./clone-data.ts";

export type { Proposal } from "./lifecycle-steps.ts";
export type { EditResult, FieldChange, ProjectEdit } from "./lifecycle-edit.ts";

/**
 * A successful lifecycle step: the entry as stored and the store's new version; a step that changed an
 * existing entry also gives the entry as it was, under the same lock (what the change replaced).
 */
export type EntryResult = Result<{ entry: ProjectEntry; version: number; before?: ProjectEntry }>;

/**
 * The one place the project rules live. Chat commands, the CLI and the HTTP API all call these and
 * render the typed results; none of them re-implements a rule.
 */
export interface Lifecycle {
  propose(proposal: Proposal): Promise<EntryResult>;
  approve(slug: string, options?: MutateOptions): Promise<EntryResult>;
  unapprove(slug: string, options?: MutateOptions): Promise<EntryResult>;
  cancel(slug: string, options?: MutateOptions): Promise<EntryResult>;
  /** Changes a project's repo, branch, base or description; refused while it is planned or run (lifecycle-edit.ts). */
  edit(slug: string, edit: ProjectEdit, options?: MutateOptions): Promise<EditResult>;
  /** Moves a project to `planning` (creating it from `description` if new); refuses committed projects unless `force`. */
  startPlanning(
    slug: string,
    options: { description?: string | undefined; force?: boolean | undefined },
  ): Promise<EntryResult>;
  /** Records the planning session's id on the entry (echo-core's stash step). */
  linkPlanningSession(slug: string, planningSessionId: string | null): Promise<EntryResult>;
  /** Ends planning with an approved plan. */
  finalize(slug: string, finalPlanPath: string): Promise<EntryResult>;
  /** Abandons planning: a `planning` project goes back to `pending`. */
  cancelPlanning(slug: string): Promise<EntryResult>;
  /** Applies an arbitrary change to one entry under the lock (the executor records PIDs and outcomes with it). */
  update(
    slug: string,
    change: (entry: ProjectEntry) => Result<object> | void,
    options?: MutateOptions,
  ): Promise<EntryResult>;
}

/** Dependencies of {@link createLifecycle}. */
export interface LifecycleDeps {
  store: ProjectStore;
  clock: Clock;
  workspaceDir: string;
  probe?: ProcessProbe;
}

/** Creates the {@link Lifecycle} service. */
export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const probe = deps.probe ?? procProbe;
  const now = () => deps.clock.now().toISOString();

  /** Loads the entry inside a mutation, or fails with not_found. */
  function mutateEntry(slug: string, change: EntryChange, options?: MutateOptions): Promise<EntryResult> {
    const slugCheck = checkSlug(slug);
    if (!slugCheck.ok) return Promise.resolve(slugCheck);
    return deps.store.mutate((file) => {
      const entry = findProject(file, slug);
      if (!entry) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
      const before = cloneData(entry);
      const outcome = change(entry);
      if (outcome && !outcome.ok) return outcome;
      return { ok: true, entry: cloneData(entry), before };
    }, options);
  }

  return {
    async propose(proposal) {
      const fields = proposalProblems(proposal);
      if (Object.keys(fields).length > 0) {
        return fail("validation_failed", Object.values(fields).join(" "), { fields });
      }
      const slug = proposal.slug.toLowerCase();
      return deps.store.mutate((file) => {
        const existing = findProject(file, slug);
        if (existing) return duplicateSlug(slug, existing);
        const entry = newEntry(
          { ...proposal, name: slug, description: proposal.description.trim(), status: "pending" },
          now(),
        );
        file.projects.push(entry);
        return { ok: true, entry: cloneData(entry) };
      });
    },

    approve: (slug, options) => mutateEntry(slug, approveChange(probe, now), options),
    unapprove: (slug, options) => mutateEntry(slug, unapproveChange, options),
    cancel: (slug, options) => mutateEntry(slug, cancelChange(probe, deps.workspaceDir), options),
    edit: (slug, edit, options) =>
      editProject({ store: deps.store, probe, workspaceDir: deps.workspaceDir }, slug, edit, options),

    async startPlanning(slug, { description, force }) {
      const slugCheck = checkSlug(slug);
      if (!slugCheck.ok) return slugCheck;
      const text = description?.trim() ?? "";
      if (text) {
        const problem = validateDescription(text);
        if (problem) return fail("invalid_description", problem, { fields: { description: problem } });
      }
      return deps.store.mutate((file) => {
        const entry = findProject(file, slug);
        if (entry) {
          const committed = force ? undefined : committedStatus(entry, probe, deps.workspaceDir);
          if (committed) return alreadyCommitted(entry, committed);
          replanChange(text)(entry);
          return { ok: true, entry: cloneData(entry) };
        }
        if (!text) return descriptionRequired(slug);
        const created = newEntry({ name: slug.toLowerCase(), description: text, status: "planning" }, now());
        file.projects.push(created);
        return { ok: true, entry: cloneData(created) };
      });
    },

    linkPlanningSession: (slug, planningSessionId) =>
      mutateEntry(slug, (entry) => {
        entry.planning_session_id = planningSessionId;
      }),
    finalize: (slug, finalPlanPath) => mutateEntry(slug, finalizeChange(finalPlanPath, now)),
    cancelPlanning: (slug) => mutateEntry(slug, cancelPlanningChange),
    update: (slug, change, options) => mutateEntry(slug, change, options),
  };
}
