import { conversationKey, targetOf } from "../../chat/incoming.ts";
import { errorReply } from "../../chat/reply.ts";
import { deliveryReply } from "../../deliver/delivery-notices.ts";
import type { CommandSpec } from "../command-registry.ts";
import { deliverRefusalReply } from "../deliver-refusal.ts";
import { failureReply } from "../failure-reply.ts";

/**
 * `/deliver` — delivers a finished run's work again: pushes its branch and opens or updates its draft pull
 * request, as after the run, without running Ralph again (after the admin fixed planbot's access, or after
 * `/edit --branch`). It answers in the delivery notice's words; the project's other chats hear the notice, and
 * the chat that asked only this answer (docs/architecture.md, "Delivering again").
 */
export const deliverCommand: CommandSpec = {
  name: "deliver",
  summary: "push a finished project's branch and open its pull request again",
  role: "member",
  slow: true,
  // A finished run's work: its project is complete, or it failed after Ralph made commits.
  args: [
    {
      name: "slug",
      description: "the project's slug, e.g. my-app",
      required: true,
      kind: "slug",
      fits: ["complete", "failed"],
    },
  ],
  flags: [],
  async handler({ args, services, operator, incoming }) {
    if (!services.delivery) return errorReply("Delivering is not available yet in this planbot.");
    // This reply tells the asker's chat; the notifier tells the project's other chats.
    const result = await services.delivery.deliverAgain(args.slug!, {
      answeredIn: conversationKey(targetOf(incoming)),
    });
    // Settings that keep it from working now are worded apart: a member reads whom to tell, not a setting.
    if (!result.ok) return deliverRefusalReply(result, operator) ?? failureReply(result, { operator });
    const { operatorText, ...notice } = deliveryReply(result.record, services.delivery.setup());
    // The operator (the terminal) reads git's and GitHub's words; a chat member the plain ones.
    return operator && operatorText ? { ...notice, text: operatorText } : notice;
  },
};
