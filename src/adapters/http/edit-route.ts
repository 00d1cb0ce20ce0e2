import type { DashboardDeps } from "./dashboard-deps.ts";
import { jsonBody, optionalText, stringFields } from "./dashboard-deps.ts";
import { sendError, sendFailure, sendJson } from "./http-io.ts";
import { ifMatch } from "./project-routes.ts";
import type { Route } from "./router.ts";
import { withSlug } from "./slug-route.ts";

/**
 * `POST /api/projects/<slug>/edit`: fix a project's repo, branch, base or description (like `/edit` and
 * `planbot projects edit`). The body uses propose's keys (`repo`, `branch`, `base_branch`, `description`);
 * an empty or missing key leaves that field alone, so a form may send every field. `If-Match` guards it
 * like the status changes. The rules (validation, refusals while planned or run) are the lifecycle's.
 */
export function editRoutes(deps: DashboardDeps): Route[] {
  return [
    {
      method: "POST",
      path: "/api/projects/:slug/edit",
      handler: withSlug(async (context, slug) => {
        const expected = ifMatch(context.req);
        if (typeof expected === "object") return sendError(context.res, expected);
        const body = await jsonBody(context, deps);
        if (!body) return;
        const fields = stringFields(body, ["repo", "branch", "base_branch", "description"]);
        if (Object.keys(fields).length) return sendJson(context.res, 400, { error: "validation_failed", fields });
        const result = await deps.runtime.core.lifecycle.edit(
          slug,
          {
            repo: optionalText(body.repo),
            branch: optionalText(body.branch),
            base: optionalText(body.base_branch),
            description: optionalText(body.description),
          },
          expected === undefined ? {} : { expectedVersion: expected },
        );
        if (!result.ok) return sendFailure(context.res, result);
        const { entry, version, changes, oldClone } = result;
        sendJson(context.res, 200, {
          ok: true,
          slug: entry.name,
          version,
          changed: changes.length > 0,
          changes,
          repo: entry.repo ?? null,
          branch: entry.branch ?? null,
          base_branch: entry.base_branch ?? null,
          description: entry.description ?? "",
          old_clone: oldClone,
        });
      }),
    },
  ];
}
