import { validateSlug } from "../../projects/validation.ts";
import { sendJson } from "./http-io.ts";
import type { RequestContext } from "./router.ts";

/**
 * Validates the `:slug` of the path (echo-core's first step on every project route) and answers 400
 * `invalid_slug` with the reason, so the handler only ever sees a valid slug.
 */
export function withSlug(
  handler: (context: RequestContext, slug: string) => Promise<void>,
): (context: RequestContext) => Promise<void> {
  return async (context) => {
    const slug = context.params.slug ?? "";
    const problem = validateSlug(slug);
    if (problem) return sendJson(context.res, 400, { error: "invalid_slug", message: problem });
    await handler(context, slug);
  };
}
