import { targetOf } from "../chat/incoming.ts";
import { bold, code, type Reply } from "../chat/reply.ts";
import { fail, type Result } from "../projects/result.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningRequest } from "./planning-port.ts";
import { surfaceName } from "../chat/surface-names.ts";
import { phaseLabel } from "./planning-replies.ts";
import { findSessionForChat, findSessionForSlug } from "./session-store.ts";

/** What {@link joinSession} uses of the planning service. */
export type JoinParts = Pick<PlanningParts, "sessions" | "directory">;

/**
 * `/continue <slug>`: binds the asking chat to the slug's open session, so its lines go to the planner
 * and the planner's replies reach it too. The session's other chats hear who joined.
 */
export async function joinSession(
  parts: JoinParts,
  { incoming, slug }: PlanningRequest & { slug: string },
): Promise<Result<{ reply: Reply }>> {
  const read = await parts.sessions.read();
  if (!read.ok) return read;
  const target = targetOf(incoming);
  const found = findSessionForSlug(read.sessions, slug);
  if (!found)
    return fail(
      "no_active_session",
      `Nobody is planning ${bold(slug)} right now. Start with ${code(`/plan ${slug}`)}.`,
    );
  const here = findSessionForChat(read.sessions, target);
  if (here && here.key !== found.key)
    return fail(
      "invalid_state",
      `This chat is planning ${bold(here.session.slug)}. ${code("/stop")} it first, or continue ${slug} in another chat.`,
    );
  const bound = await parts.directory.bind(found.key, target);
  if (!bound.ok) return bound;
  const session = bound.session;
  const last = session.last_text_excerpt ? `\n\nLast from the planner:\n${session.last_text_excerpt}` : "";
  await parts.directory.mirror(session, target, {
    text: `${bold(incoming.userName)} joined this planning session from ${surfaceName(incoming.adapter)}.`,
  });
  return {
    ok: true,
    reply: {
      text: `This chat now follows the planning of ${bold(session.slug)} (${phaseLabel(session.phase)}). Messages here go to the planner; its replies reach every chat of the session.${last}`,
    },
  };
}
