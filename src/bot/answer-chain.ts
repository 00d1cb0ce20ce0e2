import type { Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import { guardStep, logStep } from "./boundary-steps.ts";
import type { BotServices } from "./command-context.ts";
import { compose } from "./compose.ts";
import { refusal, type Dispatch, type SessionCheck } from "./dispatch.ts";
import { failureReply } from "./failure-reply.ts";
import { roleAllows } from "./roles.ts";

/**
 * The chain plain text runs through: guard → log → the planner answer of the chat's session. A chat
 * without a session sets `context.noSession` and gets no reply, so the caller can hint or ignore.
 */
export function createAnswerChain(deps: {
  services: BotServices;
  log: Logger;
  hasSession: SessionCheck;
}): (context: Dispatch) => Promise<Reply[]> {
  const { services, log } = deps;
  return compose<Dispatch, Reply[]>([guardStep(log), logStep(log)], async (context) => {
    if (!roleAllows(context.role, "member")) {
      // Guests are told no only where a session runs; elsewhere their chatter is none of planbot's business.
      if (services.planning && !context.explicitAnswer && !(await deps.hasSession(context.incoming))) {
        context.noSession = true;
        return [];
      }
      return [refusal("answering the planner", "member", context)];
    }
    if (!services.planning) {
      context.noSession = true;
      return [];
    }
    // The planning service finds the chat's session itself: that is the one look-up per answer.
    const result = await services.planning.answer({ incoming: context.incoming, signals: context.signals });
    if (!result.ok && result.code === "no_active_session" && !result.details) {
      context.noSession = true;
      return [];
    }
    return [result.ok ? result.reply : failureReply(result, context)];
  });
}
