import type { Reply } from "../../chat/reply.ts";
import { COMPLETE_PHASE } from "../../planning/prompt-library.ts";
import type { PlanningSession } from "../../planning/session-store.ts";
import { findProject } from "../../projects/project-store.ts";
import type { ServerResponse } from "node:http";
import type { Failure, Result } from "../../projects/result.ts";
import { dashboardIncoming, jsonBody, stringFields, type DashboardDeps } from "./dashboard-deps.ts";
import { failureResponse, sendFailure, sendJson } from "./http-io.ts";
import { planStateRoutes } from "./plan-state-routes.ts";
import type { RequestContext, Route } from "./router.ts";
import { withSlug } from "./slug-route.ts";

/**
 * Echo-core's `/api/projects/<slug>/plan/*` endpoints (the read-only ones in plan-state-routes.ts) over the same planning service the chats use. The
 * dashboard is a chat of its own (`dashboard:<slug>`); the service binds it to the slug's session when
 * that session was started elsewhere (echo-core's resolve-by-slug), and mirrors every reply to the other
 * chats of the session, so an answer typed here also shows up in Telegram or Discord.
 */
export function planRoutes(deps: DashboardDeps): Route[] {
  const { runtime } = deps;
  const planning = runtime.planning;

  /** Refreshes the slug's record so the list's `last_message_preview` follows the conversation at once. */
  function touch(slug: string): void {
    if (runtime.watcher.current().sequence === 0) return;
    runtime.watcher
      .refresh([slug])
      .catch((error: unknown) =>
        deps.log.warn({ err: error, slug }, "refreshing the project after a planning step failed"),
      );
  }

  /** Runs a planning step; on success answers `shape(reply, session)`, otherwise the failure. */
  async function step(
    context: RequestContext,
    slug: string,
    run: () => Promise<Result<{ reply: Reply }>>,
    shape: (reply: Reply, session: PlanningSession | undefined) => Record<string, unknown>,
    onFailure: (res: ServerResponse, failure: Failure) => void = sendFailure,
  ) {
    const result = await run();
    if (!result.ok) return onFailure(context.res, result);
    const found = await planning.sessionForSlug(slug);
    const session = found.ok ? found.session : undefined;
    touch(slug);
    sendJson(context.res, 200, { ok: true, slug: session?.slug ?? slug, ...shape(result.reply, session) });
  }

  async function entryOf(slug: string) {
    const read = await runtime.core.store.read();
    return read.ok ? findProject(read.file, slug) : undefined;
  }

  const start = withSlug(async (context, slug) => {
    const body = await jsonBody(context, deps);
    if (!body) return;
    const fields = stringFields(body, ["description"]);
    if (body.force !== undefined && body.force !== null && typeof body.force !== "boolean")
      fields.force = "force must be true or false";
    if (Object.keys(fields).length) return sendJson(context.res, 400, { error: "validation_failed", fields });
    const description = typeof body.description === "string" ? body.description : undefined;
    let startFailed: Failure | undefined;
    const answerFailure = (res: ServerResponse, failure: Failure) => {
      // echo-core's answer to a first planner turn that failed: 500 planning_start_failed (the project is pending again).
      if (failure !== startFailed) return sendFailure(res, failure);
      const { body: shaped } = failureResponse(failure);
      sendJson(res, 500, { ...shaped, error: "planning_start_failed" });
    };
    await step(
      context,
      slug,
      async () => {
        const started = await planning.start({
          incoming: dashboardIncoming(slug, `/plan ${slug}`),
          slug,
          description,
          force: body.force === true,
        });
        if (!started.ok && started.details?.start_failed) startFailed = started;
        return started;
      },
      (reply, session) => ({
        session_id: session?.planning_session_id ?? null,
        phase: session?.phase ?? null,
        message: reply.text,
      }),
      answerFailure,
    );
  });

  const respond = withSlug(async (context, slug) => {
    const body = await jsonBody(context, deps);
    if (!body) return;
    const message = typeof body.message === "string" ? body.message.trim() : "";
    // Echo-core's exact error value, spaces and all: the dashboard front end compares it.
    if (!message)
      return sendJson(context.res, 400, {
        error: "message required",
        message: "send the answer as a non-empty string in `message`",
      });
    await step(
      context,
      slug,
      () => planning.answer({ incoming: dashboardIncoming(slug, message) }),
      (reply, session) => ({
        phase: session?.phase ?? null,
        phase_ready: session?.phase_ready ?? false,
        message: reply.text,
      }),
    );
  });

  const advance = withSlug((context, slug) =>
    step(
      context,
      slug,
      () => planning.next({ incoming: dashboardIncoming(slug, "/next") }),
      (reply, session) => ({
        phase: session?.phase ?? null,
        completed: session?.phase === COMPLETE_PHASE,
        message: reply.text,
      }),
    ),
  );

  const finalize = withSlug(async (context, slug) => {
    const result = await planning.done({ incoming: dashboardIncoming(slug, "/done") });
    if (!result.ok) return sendFailure(context.res, result);
    const entry = await entryOf(slug);
    touch(slug);
    sendJson(context.res, 200, {
      ok: true,
      slug: entry?.name ?? slug,
      status: "approved",
      final_plan_path: entry?.final_plan_path ?? null,
      message: result.reply.text,
    });
  });

  const cancel = withSlug(async (context, slug) => {
    const stopped = await planning.stop({ incoming: dashboardIncoming(slug, "/stop") });
    if (!stopped.ok && stopped.code !== "no_active_session") return sendFailure(context.res, stopped);
    if (!stopped.ok) {
      // No session, but echo-core's dashboard still put a `planning` project back to `pending`: same rule, from the lifecycle.
      const reverted = await runtime.core.lifecycle.cancelPlanning(slug);
      if (!reverted.ok) return sendFailure(context.res, reverted);
    }
    const entry = await entryOf(slug);
    sendJson(context.res, 200, {
      ok: true,
      slug: entry?.name ?? slug,
      cleared: stopped.ok,
      status: entry?.status ?? "pending",
    });
  });

  return [
    ...planStateRoutes(deps),
    { method: "POST", path: "/api/projects/:slug/plan/start", handler: start },
    { method: "POST", path: "/api/projects/:slug/plan/respond", handler: respond },
    { method: "POST", path: "/api/projects/:slug/plan/finalize", handler: finalize },
    { method: "POST", path: "/api/projects/:slug/plan/cancel", handler: cancel },
    { method: "POST", path: "/api/projects/:slug/plan/advance", handler: advance },
  ];
}
