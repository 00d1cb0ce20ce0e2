import { conversationKey } from "../../chat/incoming.ts";
import { renderPlainText } from "../../chat/plain-text.ts";
import { blockOfRefusal, deliverAgainBlockWords } from "../../deliver/deliver-again-offer.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { dashboardIncoming } from "./dashboard-deps.ts";
import { sendFailure, sendJson } from "./http-io.ts";
import type { Route } from "./router.ts";
import { withSlug } from "./slug-route.ts";

/**
 * `POST /api/projects/<slug>/deliver`: the Run tab's "Deliver again", as `/deliver` (the same DeliveryPort). The
 * page offers it only where the list says it can work (`delivery.deliver_again`); a refusal that comes from the
 * settings planbot runs with is answered 409 in a chat member's words (the dashboard is not the operator's), and
 * the project's chats hear how it went from the notifier, the dashboard's own conversation excepted.
 */
export function deliverRoutes(deps: DashboardDeps): Route[] {
  return [
    {
      method: "POST",
      path: "/api/projects/:slug/deliver",
      handler: withSlug(async (context, slug) => {
        const port = deps.runtime.services?.delivery;
        if (!port)
          return sendJson(context.res, 503, {
            error: "not_available",
            message: "Delivering is not available in this planbot.",
          });
        // The page that asked reads the answer here; the project's other chats hear the notice.
        const answeredIn = conversationKey(dashboardIncoming(slug, ""));
        const result = await port.deliverAgain(slug, { answeredIn });
        if (!result.ok) {
          const found = blockOfRefusal(result.details);
          if (!found) return sendFailure(context.res, result, slug);
          return sendJson(context.res, 409, {
            error: "not_deliverable",
            reason: found.block,
            slug: found.reader.slug,
            message: renderPlainText({ text: deliverAgainBlockWords(found.block, found.reader, false) }),
          });
        }
        const delivery = result.record.delivery;
        deps.log.info({ slug, adapter: "dashboard", ok: delivery?.ok }, "delivered again from the dashboard");
        sendJson(context.res, 200, {
          ok: true,
          slug: result.record.slug,
          delivered: delivery?.ok === true,
          message: delivery?.ok
            ? "Delivered again."
            : "Delivering again did not fully work: the delivery line says what failed and what to do.",
        });
      }),
    },
  ];
}
