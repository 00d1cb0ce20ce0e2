import { type ChatTarget, conversationKey } from "../chat/incoming.ts";
import type { ReliableSender } from "../chat/reliable-send.ts";
import type { Reply } from "../chat/reply.ts";
import { type PlanningSession, sessionChats } from "./session-store.ts";

/**
 * Sends a reply to every chat of the session except `except` (the one that asked), all at once, through
 * the reliable sender: a chat that cannot be reached right now gets the reply on a retry, in order with
 * the session's other replies; the others are not held up. Resolves once every chat had its first
 * attempt (or waits behind a retry), never after a backoff.
 */
export async function mirrorReply(
  deps: { delivery: ReliableSender },
  session: PlanningSession,
  except: ChatTarget | undefined,
  reply: Reply,
): Promise<void> {
  const skip = except ? conversationKey(except) : undefined;
  await Promise.all(
    sessionChats(session)
      .filter((chat) => conversationKey(chat) !== skip)
      .map((chat) => deps.delivery.send(chat, reply, { slug: session.slug, kind: "mirrored reply" })),
  );
}
