import type { ServerResponse } from "node:http";
import type { Failure } from "../../projects/result.ts";
import { type DashboardDeps, dashboardIncoming, jsonBody, stringFields } from "./dashboard-deps.ts";
import { failureResponse, sendFailure, sendJson } from "./http-io.ts";
import type { PlanStepper } from "./plan-step.ts";
import type { RequestContext } from "./router.ts";
import { withSlug } from "./slug-route.ts";

/**
 * `POST /api/projects/<slug>/plan/start` (`description`, `force`): starts planning as `/plan <slug>` does.
 * A first planner turn that failed answers echo-core's 500 `planning_start_failed` (the project is pending again).
 */
export function planStartHandler(
  deps: DashboardDeps,
  stepper: PlanStepper,
): (context: RequestContext) => Promise<void> {
  return withSlug(async (context, slug) => {
    const body = await jsonBody(context, deps);
    if (!body) return;
    const fields = stringFields(body, ["description"]);
    if (body.force !== undefined && body.force !== null && typeof body.force !== "boolean")
      fields.force = "force must be true or false";
    if (Object.keys(fields).length) return sendJson(context.res, 400, { error: "validation_failed", fields });
    const description = typeof body.description === "string" ? body.description : undefined;
    let startFailed: Failure | undefined;
    const answerFailure = (res: ServerResponse, failure: Failure) => {
      if (failure !== startFailed) return sendFailure(res, failure);
      const { body: shaped } = failureResponse(failure);
      sendJson(res, 500, { ...shaped, error: "planning_start_failed" });
    };
    await stepper.step(
      context,
      slug,
      async () => {
        const started = await deps.runtime.planning.start({
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
}
