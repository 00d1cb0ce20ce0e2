import { type ChatTarget, conversationKey } from "../chat/incoming.ts";
import type { Outbound } from "../chat/outbound.ts";
import type { Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import { type PlanningSession, sessionChats } from "./session-store.ts";

/**
 * Sends a reply to every chat of the session except `except` (the one that asked), all at once. A chat
 * that cannot be reached is logged and skipped: the others still get the reply.
 */
export async function mirrorReply(
  deps: { outbound: Outbound; log: Logger },
  session: PlanningSession,
  except: ChatTarget | undefined,
  reply: Reply,
): Promise<void> {
  const skip = except ? conversationKey(except) : undefined;
  await Promise.all(
    sessionChats(session)
      .filter((chat) => conversationKey(chat) !== skip)
      .map(async (chat) => {
        const sent = await deps.outbound.send(chat, reply);
        if (!sent.ok)
          deps.log.warn(
            {
              slug: session.slug,
              adapter: chat.adapter,
              channel: chat.channelId,
              code: sent.code,
              message: sent.message,
            },
            "mirror send failed",
          );
      }),
  );
}
