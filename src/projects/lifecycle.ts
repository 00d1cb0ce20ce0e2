import type { Clock } from "./clock.ts";
import { procProbe, type ProcessProbe } from "./process-probe.ts";
import { readPrd } from "./project-list.ts";
import { findProject, type MutateOptions, type ProjectStore } from "./project-store.ts";
import { fail, type Result } from "./result.ts";
import { clearRunRefusal } from "./run-refusal-field.ts";
import type { ProjectEntry } from "./schemas.ts";
import { validateBranch, validateDescription, validateRepo, validateSlug } from "./validation.ts";
import { workspacePaths } from "./workspace.ts";

/** What a person asks for when proposing a project. */
export interface Proposal {
  slug: string;
  description: string;
  repo?: string | undefined;
  branch?: string | undefined;
  base?: string | undefined;
}

/** A successful lifecycle step: the entry as stored and the store's new version. */
export type EntryResult = Result<{ entry: ProjectEntry; version: number }>;

/**
 * The one place the project rules live. Chat commands, the CLI and the HTTP API all call these and
 * render the typed results; none of them re-implements a rule.
 */
export interface Lifecycle {
  propose(proposal: Proposal): Promise<EntryResult>;
  approve(slug: string, options?: MutateOptions): Promise<EntryResult>;
  unapprove(slug: string, options?: MutateOptions): Promise<EntryResult>;
  cancel(slug: string, options?: MutateOptions): Promise<EntryResult>;
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

/** Statuses the approval guard protects: re-planning them would throw away an agreed plan. */
const COMMITTED = new Set(["approved", "running", "complete", "completed"]);

/** Creates the {@link Lifecycle} service. */
export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const probe = deps.probe ?? procProbe;
  const now = () => deps.clock.now().toISOString();

  function checkSlug(slug: string): Result<object> {
    const problem = validateSlug(slug);
    return problem ? fail("invalid_slug", problem, { fields: { slug: problem } }) : { ok: true };
  }

  /** Loads the entry inside a mutation, or fails with not_found. */
  function mutateEntry(
    slug: string,
    change: (entry: ProjectEntry) => Result<object> | void,
    options?: MutateOptions,
  ): Promise<EntryResult> {
    const slugCheck = checkSlug(slug);
    if (!slugCheck.ok) return Promise.resolve(slugCheck);
    return deps.store.mutate((file) => {
      const entry = findProject(file, slug);
      if (!entry) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
      const outcome = change(entry);
      if (outcome && !outcome.ok) return outcome;
      return { ok: true, entry: structuredClone(entry) };
    }, options);
  }

  /** The status that matters for the guard: a live PID or a finished PRD counts even when the entry says otherwise. */
  function committedStatus(entry: ProjectEntry): string | undefined {
    if (probe.inspect(entry.pid ?? null).alive) return "running";
    const own = (entry.status ?? "").toLowerCase();
    if (COMMITTED.has(own)) return own === "completed" ? "complete" : own;
    const prd = readPrd(workspacePaths(deps.workspaceDir, entry.name).prd);
    const stories = prd?.userStories ?? [];
    if (stories.length > 0 && stories.every((story) => story.passes === true)) return "complete";
    return undefined;
  }

  return {
    async propose(proposal) {
      const fields: Record<string, string> = {};
      const slugProblem = validateSlug(proposal.slug);
      if (slugProblem) fields.slug = slugProblem;
      const descriptionProblem = validateDescription(proposal.description);
      if (descriptionProblem) fields.description = descriptionProblem;
      if (proposal.repo !== undefined) {
        const problem = validateRepo(proposal.repo);
        if (problem) fields.repo = problem;
      }
      if (proposal.branch !== undefined) {
        const problem = validateBranch(proposal.branch, "branch");
        if (problem) fields.branch = problem;
      }
      if (proposal.base !== undefined) {
        const problem = validateBranch(proposal.base, "base");
        if (problem) fields.base_branch = problem;
      }
      if (Object.keys(fields).length > 0) {
        return fail("validation_failed", Object.values(fields).join(" "), { fields });
      }
      const slug = proposal.slug.toLowerCase();
      return deps.store.mutate((file) => {
        const existing = findProject(file, slug);
        if (existing) {
          return fail(
            "duplicate_slug",
            `A project named "${existing.name}" already exists (status ${existing.status ?? "unknown"}); pick another slug.`,
            {
              details: { slug, status: existing.status },
            },
          );
        }
        const entry: ProjectEntry = {
          name: slug,
          description: proposal.description.trim(),
          status: "pending",
          planning_session_id: null,
          final_plan_path: null,
          repo: proposal.repo ?? null,
          branch: proposal.branch ?? null,
          base_branch: proposal.base ?? null,
          proposed_at: now(),
          approved_at: null,
          started_at: null,
          pid: null,
        };
        file.projects.push(entry);
        return { ok: true, entry: structuredClone(entry) };
      });
    },

    approve(slug, options) {
      return mutateEntry(
        slug,
        (entry) => {
          if (probe.inspect(entry.pid ?? null).alive) {
            return fail("invalid_state", `"${entry.name}" is running (PID ${entry.pid}); wait for it to finish.`);
          }
          entry.status = "approved";
          entry.approved_at = now();
          entry.error = null;
          clearRunRefusal(entry);
        },
        options,
      );
    },

    unapprove(slug, options) {
      return mutateEntry(
        slug,
        (entry) => {
          entry.status = "pending";
          entry.approved_at = null;
          clearRunRefusal(entry);
        },
        options,
      );
    },

    cancel(slug, options) {
      return mutateEntry(
        slug,
        (entry) => {
          entry.status = "cancelled";
          clearRunRefusal(entry);
        },
        options,
      );
    },

    async startPlanning(slug, { description, force }) {
      const slugCheck = checkSlug(slug);
      if (!slugCheck.ok) return slugCheck;
      const text = description?.trim() ?? "";
      if (text) {
        const problem = validateDescription(text);
        if (problem) return fail("invalid_description", problem, { fields: { description: problem } });
      }
      return deps.store.mutate((file) => {
        let entry = findProject(file, slug);
        if (entry && !force) {
          const committed = committedStatus(entry);
          if (committed) {
            return fail(
              "already_committed",
              `"${entry.name}" is already ${committed}. Re-planning replaces its plan: use /replan ${entry.name} --force (admins) to do it anyway.`,
              { details: { slug: entry.name, status: committed } },
            );
          }
        }
        if (!entry) {
          if (!text) {
            return fail(
              "invalid_description",
              `"${slug}" is not proposed yet: give a description, e.g. /plan ${slug} A todo app with reminders.`,
              {
                fields: { description: "description required" },
              },
            );
          }
          entry = {
            name: slug.toLowerCase(),
            description: text,
            status: "planning",
            planning_session_id: null,
            final_plan_path: null,
            repo: null,
            branch: null,
            base_branch: null,
            proposed_at: now(),
            approved_at: null,
            started_at: null,
            pid: null,
          };
          file.projects.push(entry);
        } else {
          entry.status = "planning";
          clearRunRefusal(entry);
          if (!entry.description && text) entry.description = text;
        }
        return { ok: true, entry: structuredClone(entry) };
      });
    },

    linkPlanningSession(slug, planningSessionId) {
      return mutateEntry(slug, (entry) => {
        entry.planning_session_id = planningSessionId;
      });
    },

    finalize(slug, finalPlanPath) {
      return mutateEntry(slug, (entry) => {
        entry.status = "approved";
        entry.approved_at = now();
        entry.planning_session_id = null;
        entry.final_plan_path = finalPlanPath;
        entry.error = null;
        clearRunRefusal(entry);
      });
    },

    cancelPlanning(slug) {
      return mutateEntry(slug, (entry) => {
        if ((entry.status ?? "").toLowerCase() === "planning") entry.status = "pending";
        entry.planning_session_id = null;
      });
    },

    update(slug, change, options) {
      return mutateEntry(slug, change, options);
    },
  };
}
