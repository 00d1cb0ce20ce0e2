import { errorReply } from "../../chat/reply.ts";
import { deliveryReply } from "../../deliver/delivery-notices.ts";
import type { CommandSpec } from "../command-registry.ts";
import { failureReply } from "../failure-reply.ts";

/**
 * `/deliver` — delivers a finished run's work again: pushes its branch and opens or updates its draft pull
 * request, as after the run, without running Ralph again (after the admin fixed planbot's access, or after
 * `/edit --branch`). It answers in the delivery notice's words; the chats of the project hear the notice too.
 */
export const deliverCommand: CommandSpec = {
  name: "deliver",
  summary: "push a finished project's branch and open its pull request again",
  role: "member",
  slow: true,
  args: [{ name: "slug", description: "the project's slug, e.g. my-app", required: true, kind: "slug" }],
  flags: [],
  async handler({ args, services, operator }) {
    if (!services.delivery) return errorReply("Delivering is not available yet in this planbot.");
    const result = await services.delivery.deliverAgain(args.slug!);
    if (!result.ok) return failureReply(result, { operator });
    const { operatorText, ...notice } = deliveryReply(result.record);
    // The operator (the terminal) reads git's and GitHub's words; a chat member the plain ones.
    return operator && operatorText ? { ...notice, text: operatorText } : notice;
  },
};
