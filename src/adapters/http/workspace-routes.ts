import { findProject } from "../../projects/project-store.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { failureResponse, sendFailure, sendJson } from "./http-io.ts";
import type { RequestContext, Route } from "./router.ts";
import { withSlug } from "./slug-route.ts";
import {
  MAX_READ_BYTES,
  lastLines,
  listWorkspaceFolder,
  readWorkspaceFile,
  type WorkspaceRead,
} from "./workspace-read.ts";

/** Run logs planbot writes per run into `scripts/ralph/logs/` (see the executor's launch). */
const RUN_LOG = /^ralph-[\w.-]+\.log$/;
const RALPH = ["scripts", "ralph"];

/** One endpoint's handler, given the project's folder name (the stored spelling, else the slug as given). */
type ProjectHandler = (deps: DashboardDeps, context: RequestContext, name: string) => Promise<void>;

/**
 * The dashboard's view into a project's workspace and its run: the written plan, the stories of
 * prd.json as a checklist, starting a run, and the run logs. Reads go through {@link readWorkspaceFile}
 * (never out of the workspace through a symlink); the run goes through the same executor as `/run`.
 */
export function workspaceRoutes(deps: DashboardDeps): Route[] {
  const route = (method: Route["method"], path: string, handler: ProjectHandler): Route => ({
    method,
    path,
    handler: withProject(deps, (context, name) => handler(deps, context, name)),
  });
  return [
    route("GET", "/api/projects/:slug/plan/document", planDocument),
    route("GET", "/api/projects/:slug/prd", prd),
    route("POST", "/api/projects/:slug/run", run),
    route("GET", "/api/projects/:slug/run/log", runLog),
  ];
}

/** Validates the slug and finds the folder name (the stored spelling, else the slug as given). */
function withProject(deps: DashboardDeps, handler: (context: RequestContext, name: string) => Promise<void>) {
  return withSlug(async (context, slug) => {
    const read = await deps.runtime.core.store.read();
    if (!read.ok) return sendFailure(context.res, read);
    await handler(context, findProject(read.file, slug)?.name ?? slug);
  });
}

/** A workspace file that could not be read: 404 `no_<what>` when it is not there, else 403 `refused`. */
function sendUnread(context: RequestContext, read: Extract<WorkspaceRead, { ok: false }>, what: string) {
  const status = read.code === "not_found" ? 404 : 403;
  sendJson(context.res, status, {
    error: read.code === "not_found" ? `no_${what}` : "refused",
    message: read.message,
  });
}

/** `GET plan/document`: the final plan as written into the workspace. */
async function planDocument(deps: DashboardDeps, context: RequestContext, name: string) {
  const read = await readWorkspaceFile(deps.runtime.config.workspaceDir, name, [...RALPH, "final-plan.md"]);
  if (!read.ok) return sendUnread(context, read, "plan");
  sendJson(context.res, 200, {
    slug: name,
    path: "scripts/ralph/final-plan.md",
    text: read.text,
    truncated: read.size > MAX_READ_BYTES,
    updated_at: new Date(read.mtimeMs).toISOString(),
  });
}

/** `GET prd`: prd.json's stories as a checklist, and whether the plan exists (422 `prd_invalid` when it is not JSON). */
async function prd(deps: DashboardDeps, context: RequestContext, name: string) {
  const read = await readWorkspaceFile(deps.runtime.config.workspaceDir, name, [...RALPH, "prd.json"]);
  if (!read.ok) return sendUnread(context, read, "prd");
  let parsed: { branchName?: unknown; description?: unknown; userStories?: unknown };
  try {
    parsed = JSON.parse(read.text) as typeof parsed;
  } catch (error) {
    return sendJson(context.res, 422, {
      error: "prd_invalid",
      message: `scripts/ralph/prd.json is not valid JSON: ${(error as Error).message}`,
    });
  }
  const stories = checklistOf(parsed.userStories);
  // Whether final-plan.md is there too (Ralph's own prd.json comes without one): the page asks for the plan
  // only then. A plan that is there but refused (a link out) counts, so the page shows why it is refused.
  const plan = await readWorkspaceFile(deps.runtime.config.workspaceDir, name, [...RALPH, "final-plan.md"], 0);
  sendJson(context.res, 200, {
    slug: name,
    has_plan: plan.ok || plan.code !== "not_found",
    branch: typeof parsed.branchName === "string" ? parsed.branchName : null,
    description: typeof parsed.description === "string" ? parsed.description : "",
    stories,
    done: stories.filter((story) => story.passes).length,
    total: stories.length,
    updated_at: new Date(read.mtimeMs).toISOString(),
  });
}

/** prd.json's `userStories` as the checklist shows them, whatever Ralph or the planner left in each field. */
function checklistOf(userStories: unknown) {
  return (Array.isArray(userStories) ? userStories : []).map((raw: Record<string, unknown>, index: number) => ({
    id: typeof raw?.id === "string" ? raw.id : `#${index + 1}`,
    title: typeof raw?.title === "string" ? raw.title : "",
    description: typeof raw?.description === "string" ? raw.description : "",
    priority: typeof raw?.priority === "number" ? raw.priority : null,
    passes: raw?.passes === true,
    blocked: raw?.blocked === true,
    failed: raw?.failed === true,
  }));
}

/** `POST run`: starts a run through the same executor as `/run`; 202 once it is started. */
async function run(deps: DashboardDeps, context: RequestContext, name: string) {
  const { runtime } = deps;
  const started = await runtime.executor.runNow(name);
  // A run the preflight refused is the project's state (no plan, no ralph.sh …), not a server fault: 409, as
  // for a project that is not approved, with why and the fix in the message (a member's part of it, when only
  // the server's operator can lift it: member-failure.ts).
  if (!started.ok && started.details?.reason === "preflight") {
    const { body } = failureResponse(started, name);
    return sendJson(context.res, 409, { ...body, error: "run_refused" });
  }
  if (!started.ok) return sendFailure(context.res, started, name);
  if (runtime.watcher.current().sequence > 0)
    runtime.watcher
      .refresh([name])
      .catch((error: unknown) => deps.log.warn({ err: error, slug: name }, "refreshing after starting a run failed"));
  deps.log.info({ slug: name, adapter: "dashboard" }, "run started from the dashboard");
  sendJson(context.res, 202, { ok: true, slug: name, message: started.message });
}

/** `GET run/log?run=&tail=`: the last `tail` lines of a run's log (the newest run by default) and the list of runs. */
async function runLog(deps: DashboardDeps, context: RequestContext, name: string) {
  const workspaceDir = deps.runtime.config.workspaceDir;
  const rawTail = context.url.searchParams.get("tail");
  const tail = rawTail === null ? 200 : Number(rawTail);
  if (!Number.isInteger(tail) || tail < 1 || tail > 5000)
    return sendJson(context.res, 400, {
      error: "invalid_tail",
      message: "tail must be a whole number of lines from 1 to 5000",
    });
  const runs = await listWorkspaceFolder(workspaceDir, name, [...RALPH, "logs"], RUN_LOG);
  const wanted = context.url.searchParams.get("run");
  if (wanted !== null && !runs.some((entry) => entry.name === wanted))
    return sendJson(context.res, 404, {
      error: "no_run",
      message: `no run log named ${wanted.slice(0, 80)}; pick one from \`runs\``,
    });
  const chosen = wanted ?? runs[0]?.name;
  const listed = runs.map((entry) => ({
    file: entry.name,
    size: entry.size,
    updated_at: new Date(entry.mtimeMs).toISOString(),
  }));
  if (!chosen) return sendJson(context.res, 200, { slug: name, file: null, text: "", size: 0, runs: listed });
  const read = await readWorkspaceFile(workspaceDir, name, [...RALPH, "logs", chosen]);
  if (!read.ok) return sendUnread(context, read, "run");
  sendJson(context.res, 200, {
    slug: name,
    file: chosen,
    text: lastLines(read.text, tail, read.size > MAX_READ_BYTES),
    size: read.size,
    runs: listed,
  });
}
