import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { ConversationLog } from "./conversation-log.ts";
import type { PlanningSession } from "./session-store.ts";
import type { TurnRequest } from "./turn-request.ts";

/**
 * Appends a finished turn to the session's conversation record: the user's message as shown, then the
 * planner's reply. A record that cannot be written is logged, not failed: the turn itself succeeded.
 */
export async function recordTurn(
  deps: { conversations: ConversationLog; clock: Clock; log: Logger },
  session: PlanningSession,
  request: TurnRequest,
  replyText: string,
): Promise<void> {
  const now = () => deps.clock.now().toISOString();
  const at = now();
  try {
    await deps.conversations.append(session.planning_session_id, {
      role: "user",
      text: request.shown,
      phase: request.prompt,
      at,
      adapter: request.chat.adapter,
      user: request.user,
      chat: request.chat,
    });
    await deps.conversations.append(session.planning_session_id, {
      role: "assistant",
      text: replyText,
      phase: request.prompt,
      at: now(),
    });
  } catch (error) {
    deps.log.error({ slug: session.slug, err: error }, "could not record the planning conversation");
  }
}
