import type { IncomingMessage } from "node:http";
import type { EntryResult } from "../../projects/lifecycle.ts";
import type { MutateOptions } from "../../projects/project-store.ts";
import { jsonBody, optionalText, stringFields, type DashboardDeps } from "./dashboard-deps.ts";
import { sendError, sendFailure, sendJson, type HttpError } from "./http-io.ts";
import type { RequestContext, Route } from "./router.ts";
import { sseFrame } from "./sse-hub.ts";
import { liveFirstFrame, storeErrorFrame } from "./store-health-events.ts";

/** One endpoint's handler over the dashboard's deps. */
type ProjectsHandler = (deps: DashboardDeps, context: RequestContext) => Promise<void>;

/**
 * Echo-core's project endpoints: the list, its signature, the stream, propose, and the three status
 * changes guarded by `If-Match`. Every rule (validation, duplicates, staleness, the running guard)
 * lives in the lifecycle service; these handlers translate bodies and headers in and results out.
 */
export function projectRoutes(deps: DashboardDeps): Route[] {
  const lifecycle = deps.runtime.core.lifecycle;
  const route = (method: Route["method"], path: string, handler: ProjectsHandler): Route => ({
    method,
    path,
    handler: (context) => handler(deps, context),
  });
  return [
    route("GET", "/api/projects", list),
    route("GET", "/api/projects/signature", signature),
    { ...route("GET", "/api/projects/stream", stream), originChecked: true },
    route("POST", "/api/projects/propose", propose),
    route(
      "POST",
      "/api/projects/approve",
      statusChange((slug, options) => lifecycle.approve(slug, options)),
    ),
    route(
      "POST",
      "/api/projects/unapprove",
      statusChange((slug, options) => lifecycle.unapprove(slug, options)),
    ),
    route(
      "POST",
      "/api/projects/cancel",
      statusChange((slug, options) => lifecycle.cancel(slug, options)),
    ),
  ];
}

/** `GET /api/projects`: the list as the dashboard's source serves it. */
async function list(deps: DashboardDeps, { res }: RequestContext) {
  const current = await deps.source.current();
  if (!current.ok) return sendFailure(res, current);
  sendJson(res, 200, current.body);
}

/** `GET /api/projects/signature`: the list's signature and version, for a cheap "has it changed". */
async function signature(deps: DashboardDeps, { res }: RequestContext) {
  const current = await deps.source.current();
  if (!current.ok) return sendFailure(res, current);
  sendJson(res, 200, {
    signature: current.signature,
    version: current.version,
    fetchedAt: deps.runtime.core.clock.now().toISOString(),
  });
}

/** `GET /api/projects/stream`: the list, then every change, as server-sent events. */
async function stream(deps: DashboardDeps, { res }: RequestContext) {
  // A store that cannot be read opens the stream all the same, with its error frame first: the connection
  // is live (pings, planner messages, progress), and the list follows on it once the file is readable
  // (store-health-events.ts) — as on a stream that was open when the file broke. A page then tells the
  // connection's state and the store's by the same rules, whenever it was loaded.
  // With the watcher running, the first frame is the live channel's last word, taken in the turn that opens
  // the stream, so the two cannot cross (liveFirstFrame says why).
  const live = liveFirstFrame(deps.runtime, deps.source);
  if (live !== undefined) return deps.hub.open(res, live);
  // No watcher, so nothing follows on the stream: the store as it reads now.
  const current = await deps.source.current();
  deps.hub.open(res, current.ok ? sseFrame(current.json) : storeErrorFrame(current));
}

/** `POST /api/projects/propose`: a new pending project. */
async function propose(deps: DashboardDeps, context: RequestContext) {
  const body = await jsonBody(context, deps);
  if (!body) return;
  const fields = stringFields(body, ["slug", "description", "repo", "branch", "base_branch"]);
  if (Object.keys(fields).length) return sendJson(context.res, 400, { error: "validation_failed", fields });
  const result = await deps.runtime.core.lifecycle.propose({
    slug: typeof body.slug === "string" ? body.slug.trim() : "",
    description: typeof body.description === "string" ? body.description : "",
    repo: optionalText(body.repo),
    branch: optionalText(body.branch),
    base: optionalText(body.base_branch),
  });
  if (!result.ok) return sendFailure(context.res, result);
  sendJson(context.res, 201, { slug: result.entry.name, status: "pending" });
}

/** approve / unapprove / cancel: `{slug}` plus an optional `If-Match: <version>`. */
function statusChange(change: (slug: string, options: MutateOptions) => Promise<EntryResult>): ProjectsHandler {
  return async (deps, context) => {
    const expected = ifMatch(context.req);
    if (typeof expected === "object") return sendError(context.res, expected);
    const body = await jsonBody(context, deps);
    if (!body) return;
    if (body.slug !== undefined && typeof body.slug !== "string")
      return sendJson(context.res, 400, { error: "invalid_slug", message: "slug must be a string" });
    const slug = typeof body.slug === "string" ? body.slug.trim() : "";
    const result = await change(slug, expected === undefined ? {} : { expectedVersion: expected });
    if (!result.ok) return sendFailure(context.res, result);
    sendJson(context.res, 200, {
      ok: true,
      slug: result.entry.name,
      status: result.entry.status,
      version: result.version,
    });
  };
}

/**
 * Echo-core's `If-Match: <version>` (quotes and a weak `W/` tolerated; `*` means no precondition).
 * Echo-core's dashboard silently ignored a value it could not parse, turning a guarded write into an unguarded
 * one; a malformed precondition is a 400 here.
 */
export function ifMatch(req: IncomingMessage): number | undefined | HttpError {
  const raw = req.headers["if-match"];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value || value === "*") return undefined;
  const found = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (found) return Number(found[1]);
  return {
    status: 400,
    body: {
      error: "invalid_if_match",
      message: `If-Match must be the list's version number (got "${value.slice(0, 40)}")`,
    },
  };
}
