import { dirname } from "node:path";
import { targetOf } from "../chat/incoming.ts";
import type { PlanningRequest } from "./planning-port.ts";
import { bold, code, type Reply } from "../chat/reply.ts";
import type { Clock } from "../projects/clock.ts";
import { findProject, type ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import { produceFinalPlan, type FinalPlan } from "./finalize-step.ts";
import { COMPLETE_PHASE, PLANNING_PHASES } from "./prompt-library.ts";
import { boundChat, type PlanningSession, type SessionStore } from "./session-store.ts";
import type { TurnRunner } from "./turn-runner.ts";

/** Dependencies of {@link createSessionFinalizer}. */
export interface SessionFinalizerDeps {
  turns: TurnRunner;
  sessions: SessionStore;
  /** Read for the project's branch, which the final prompt names. */
  store: ProjectStore;
  clock: Clock;
  workspaceDir: string;
}

/**
 * Runs the final step for a session and records it as complete. Both `/next` after the last phase and
 * `/done` before a plan exists end here, so the plan is written and recorded the same way by either.
 */
export interface SessionFinalizer {
  /** Writes the plan and PRD, then marks every phase done and stores the plan's path; call inside the session's queue slot. */
  finalize(
    key: string,
    session: PlanningSession,
    request: PlanningRequest,
  ): Promise<Result<{ written: FinalPlan; session: PlanningSession }>>;
}

/** Creates the {@link SessionFinalizer}. */
export function createSessionFinalizer(deps: SessionFinalizerDeps): SessionFinalizer {
  const now = () => deps.clock.now().toISOString();

  // A project without a recorded branch gets Ralph's default branch name.
  async function branchFor(slug: string): Promise<string> {
    const read = await deps.store.read();
    const entry = read.ok ? findProject(read.file, slug) : undefined;
    return entry?.branch ?? `ralph/${slug}`;
  }

  return {
    async finalize(key, session, request) {
      const written = await produceFinalPlan(
        deps.turns,
        {
          key,
          shown: request.incoming.text,
          user: request.incoming.userName,
          chat: boundChat(targetOf(request.incoming)),
          signals: request.signals,
        },
        {
          workspaceDir: deps.workspaceDir,
          slug: session.slug,
          branch: await branchFor(session.slug),
          stillOpen: async () => {
            const read = await deps.sessions.read();
            return read.ok && read.sessions[key] !== undefined && !read.sessions[key]!.closed_at;
          },
        },
      );
      if (!written.ok) return written;
      const stored = await deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
        const current = sessions[key];
        if (!current || current.closed_at)
          return fail("no_active_session", "Planning was stopped meanwhile; the plan was not recorded.");
        current.phases_completed = [...new Set([...current.phases_completed, ...PLANNING_PHASES])];
        current.phase = COMPLETE_PHASE;
        current.phase_ready = true;
        current.final_plan_path = written.planPath;
        current.updated_at = now();
        return { ok: true, session: structuredClone(current) };
      });
      if (!stored.ok) return stored;
      return { ok: true, written, session: stored.session };
    },
  };
}

/**
 * The reply text for a freshly written plan: the planner's commentary, then where the files went. One reply
 * reaches every chat of the session, so `text` names the folder inside the project's workspace (chats show
 * no folder of planbot's machine) and `operatorText` its absolute path, which the terminal shows
 * (`Reply.operatorText`).
 */
export function planWrittenText(
  written: Pick<FinalPlan, "commentary" | "planPath"> & { prd: { userStories: unknown[] } },
  slug: string,
): Required<Pick<Reply, "text" | "operatorText">> {
  const comment = written.commentary ? `${written.commentary}\n\n` : "";
  const files = `${comment}Wrote ${code("final-plan.md")} and ${code("prd.json")} (${written.prd.userStories.length} stories) to`;
  return {
    text: `${files} ${code("scripts/ralph/")} in the workspace of ${bold(slug)}.`,
    operatorText: `${files} ${code(`${dirname(written.planPath)}/`)}.`,
  };
}
