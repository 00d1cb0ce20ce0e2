import { COMPLETE_PHASE } from "../../planning/prompt-library.ts";
import { type DashboardDeps, dashboardIncoming, jsonBody } from "./dashboard-deps.ts";
import { sendFailure, sendJson } from "./http-io.ts";
import { planStartHandler } from "./plan-start-route.ts";
import { planStateRoutes } from "./plan-state-routes.ts";
import { createPlanStepper, type PlanStepper } from "./plan-step.ts";
import type { RequestContext, Route } from "./router.ts";
import { withSlug } from "./slug-route.ts";

/** One endpoint's handler over the dashboard's deps and the shared planning step. */
type PlanHandler = (deps: DashboardDeps, stepper: PlanStepper) => (context: RequestContext) => Promise<void>;

/**
 * Echo-core's `/api/projects/<slug>/plan/*` endpoints (the read-only ones in plan-state-routes.ts) over the same planning service the chats use. The
 * dashboard is a chat of its own (`dashboard:<slug>`); the service binds it to the slug's session when
 * that session was started elsewhere (echo-core's resolve-by-slug), and mirrors every reply to the other
 * chats of the session, so an answer typed here also shows up in Telegram or Discord.
 */
export function planRoutes(deps: DashboardDeps): Route[] {
  const stepper = createPlanStepper(deps);
  const post = (path: string, handler: PlanHandler): Route => ({
    method: "POST",
    path,
    handler: handler(deps, stepper),
  });
  return [
    ...planStateRoutes(deps),
    post("/api/projects/:slug/plan/start", planStartHandler),
    post("/api/projects/:slug/plan/respond", respondHandler),
    post("/api/projects/:slug/plan/finalize", finalizeHandler),
    post("/api/projects/:slug/plan/cancel", cancelHandler),
    post("/api/projects/:slug/plan/advance", advanceHandler),
  ];
}

/** `respond` (`message`): the member's answer to the planner, as a chat message in the session. */
const respondHandler: PlanHandler = (deps, stepper) =>
  withSlug(async (context, slug) => {
    const body = await jsonBody(context, deps);
    if (!body) return;
    const message = typeof body.message === "string" ? body.message.trim() : "";
    // Echo-core's exact error value, spaces and all: the dashboard front end compares it.
    if (!message)
      return sendJson(context.res, 400, {
        error: "message required",
        message: "send the answer as a non-empty string in `message`",
      });
    await stepper.step(
      context,
      slug,
      () => deps.runtime.planning.answer({ incoming: dashboardIncoming(slug, message) }),
      (reply, session) => ({
        phase: session?.phase ?? null,
        phase_ready: session?.phase_ready ?? false,
        message: reply.text,
      }),
    );
  });

/** `advance`: `/next`, on to the next planning phase. */
const advanceHandler: PlanHandler = (deps, stepper) =>
  withSlug((context, slug) =>
    stepper.step(
      context,
      slug,
      () => deps.runtime.planning.next({ incoming: dashboardIncoming(slug, "/next") }),
      (reply, session) => ({
        phase: session?.phase ?? null,
        completed: session?.phase === COMPLETE_PHASE,
        message: reply.text,
      }),
    ),
  );

/** `finalize`: `/done`, writes the final plan and approves the project. */
const finalizeHandler: PlanHandler = (deps, stepper) =>
  withSlug(async (context, slug) => {
    const result = await deps.runtime.planning.done({ incoming: dashboardIncoming(slug, "/done") });
    if (!result.ok) return sendFailure(context.res, result);
    const entry = await stepper.entryOf(slug);
    stepper.touch(slug);
    sendJson(context.res, 200, {
      ok: true,
      slug: entry?.name ?? slug,
      status: "approved",
      final_plan_path: entry?.final_plan_path ?? null,
      message: result.reply.text,
    });
  });

/** `cancel`: `/stop`; without a session a `planning` project still goes back to `pending`. */
const cancelHandler: PlanHandler = (deps, stepper) =>
  withSlug(async (context, slug) => {
    const stopped = await deps.runtime.planning.stop({ incoming: dashboardIncoming(slug, "/stop") });
    if (!stopped.ok && stopped.code !== "no_active_session") return sendFailure(context.res, stopped);
    if (!stopped.ok) {
      // No session, but echo-core's dashboard still put a `planning` project back to `pending`: same rule, from the lifecycle.
      const reverted = await deps.runtime.core.lifecycle.cancelPlanning(slug);
      if (!reverted.ok) return sendFailure(context.res, reverted);
    }
    const entry = await stepper.entryOf(slug);
    sendJson(context.res, 200, {
      ok: true,
      slug: entry?.name ?? slug,
      cleared: stopped.ok,
      status: entry?.status ?? "pending",
    });
  });
