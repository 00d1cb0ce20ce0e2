import type { ServerResponse } from "node:http";
import type { Reply } from "../../chat/reply.ts";
import type { PlanningSession } from "../../planning/session-store.ts";
import { findProject } from "../../projects/project-store.ts";
import type { Failure, Result } from "../../projects/result.ts";
import type { ProjectEntry } from "../../projects/schemas.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { sendFailure, sendJson } from "./http-io.ts";
import type { RequestContext } from "./router.ts";

/** What every dashboard planning endpoint does around the planning service's step. */
export interface PlanStepper {
  /** Runs a planning step; on success answers `shape(reply, session)`, otherwise the failure (`onFailure` words it). */
  step(
    context: RequestContext,
    slug: string,
    run: () => Promise<Result<{ reply: Reply }>>,
    shape: (reply: Reply, session: PlanningSession | undefined) => Record<string, unknown>,
    onFailure?: (res: ServerResponse, failure: Failure) => void,
  ): Promise<void>;
  /** Refreshes the slug's record so the list's `last_message_preview` follows the conversation at once. */
  touch(slug: string): void;
  /** The slug's entry as stored now; undefined when it is not there or the store cannot be read. */
  entryOf(slug: string): Promise<ProjectEntry | undefined>;
}

/** Creates the {@link PlanStepper} over the dashboard's runtime. */
export function createPlanStepper(deps: DashboardDeps): PlanStepper {
  const { runtime } = deps;

  function touch(slug: string): void {
    if (runtime.watcher.current().sequence === 0) return;
    runtime.watcher
      .refresh([slug])
      .catch((error: unknown) =>
        deps.log.warn({ err: error, slug }, "refreshing the project after a planning step failed"),
      );
  }

  return {
    touch,
    async step(context, slug, run, shape, onFailure = sendFailure) {
      const result = await run();
      if (!result.ok) return onFailure(context.res, result);
      const found = await runtime.planning.sessionForSlug(slug);
      const session = found.ok ? found.session : undefined;
      touch(slug);
      sendJson(context.res, 200, { ok: true, slug: session?.slug ?? slug, ...shape(result.reply, session) });
    },
    async entryOf(slug) {
      const read = await runtime.core.store.read();
      return read.ok ? findProject(read.file, slug) : undefined;
    },
  };
}
