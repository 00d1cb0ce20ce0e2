import { COMPLETE_PHASE } from "../../planning/prompt-library.ts";
import type { PlanningSession } from "../../planning/session-store.ts";
import { findProject } from "../../projects/project-store.ts";
import { workspacePaths } from "../../projects/workspace.ts";
import { readWorkspaceText } from "../../projects/workspace-files.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { sendFailure, sendJson } from "./http-io.ts";
import type { Route } from "./router.ts";
import { withSlug } from "./slug-route.ts";

/**
 * Echo-core's read-only plan endpoints: `plan/state` (where the slug's planning session stands) and
 * `plan/transcript` (the conversation and the written plan). Nothing here starts a planner turn.
 */
export function planStateRoutes(deps: DashboardDeps): Route[] {
  const { runtime } = deps;
  const planning = runtime.planning;

  const state = withSlug(async ({ res }, slug) => {
    const found = await planning.sessionForSlug(slug);
    // A corrupt sessions file is an error, not "expired" (echo-core's dashboard read it as empty).
    if (!found.ok) return sendFailure(res, found);
    const session = found.session;
    // A closed session is echo-core's cleared state: "expired".
    if (!session || session.closed_at)
      return sendJson(res, 200, {
        slug,
        status: "expired",
        phase: null,
        pending_response: false,
        closed_reason: session?.closed_reason ?? null,
      });
    sendJson(res, 200, openSessionState(session));
  });

  const transcript = withSlug(async ({ res }, slug) => {
    const found = await planning.sessionForSlug(slug);
    if (!found.ok) return sendFailure(res, found);
    const session = found.session;
    const history = await planning.transcript(slug);
    const read = await runtime.core.store.read();
    const name = (read.ok ? findProject(read.file, slug)?.name : undefined) ?? slug;
    // Never through a link a repository put in the workspace (it could name any file planbot can read).
    const plan = await readWorkspaceText(
      workspacePaths(runtime.config.workspaceDir, name).root,
      "scripts/ralph/final-plan.md",
    );
    const finalPlan = plan.ok ? { path: plan.path as string | null, text: plan.text } : { path: null, text: "" };
    sendJson(res, 200, {
      slug,
      phase: session?.phase ?? null,
      phases_completed: session?.phases_completed ?? [],
      last_text_excerpt: session?.last_text_excerpt ?? "",
      final_plan_path: finalPlan.path,
      final_plan: finalPlan.text,
      history,
      recent_messages: deps.messages.recent(slug),
    });
  });

  return [
    { method: "GET", path: "/api/projects/:slug/plan/state", handler: state },
    { method: "GET", path: "/api/projects/:slug/plan/transcript", handler: transcript },
  ];
}

/** An open session as echo-core's `plan/state` answers it: `active`, or `complete` once the plan is written. */
function openSessionState(session: PlanningSession): Record<string, unknown> {
  return {
    slug: session.slug,
    status: session.phase === COMPLETE_PHASE ? "complete" : "active",
    phase: session.phase,
    phases_completed: session.phases_completed,
    phases_planned: session.phases_planned,
    pending_response: Boolean(session.pending_message),
    // The message the planner is answering now: a page reloaded mid-turn shows it above its "thinking" line.
    pending_message: session.pending_message
      ? {
          text: session.pending_message.text,
          user: session.pending_message.user,
          at: session.pending_message.at,
          // Its chat's adapter, so the page names where it was said as it does once the message is recorded.
          adapter: session.pending_message.chat.adapter,
        }
      : null,
    phase_ready: session.phase_ready ?? false,
    since: session.started_at,
    updated_at: session.updated_at,
    session_id: session.session_id,
    planning_session_id: session.planning_session_id,
    last_text_excerpt: session.last_text_excerpt ?? "",
    final_plan_path: session.final_plan_path ?? null,
    adapter: session.adapter,
  };
}
