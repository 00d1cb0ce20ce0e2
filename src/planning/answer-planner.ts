import { targetOf } from "../chat/incoming.ts";
import type { Reply } from "../chat/reply.ts";
import { fail, type Result } from "../projects/result.ts";
import { validateAnswer } from "../projects/validation.ts";
import { memberBlock } from "./member-message.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningRequest } from "./planning-port.ts";
import { plannerReply } from "./planning-replies.ts";
import { COMPLETE_PHASE, type PLANNING_PHASES } from "./prompt-library.ts";
import { boundChat, sessionAt } from "./session-store.ts";

/** What {@link answerPlanner} uses of the planning service. */
export type AnswerParts = Pick<PlanningParts, "sessions" | "directory" | "turns">;

/**
 * A chat line for the planner: one turn in the session's current phase (the stories prompt once the
 * plan is written), answered to the asking chat and mirrored, with who said it, to the others.
 */
export async function answerPlanner(parts: AnswerParts, request: PlanningRequest): Promise<Result<{ reply: Reply }>> {
  const { incoming, signals } = request;
  const invalid = validateAnswer(incoming.text);
  if (invalid) return fail("validation_failed", invalid, { fields: { answer: invalid } });
  const outcome = await parts.directory.inArrivalOrder(incoming, async (found) => {
    // The phase as it is now: a /next queued ahead of this message may have moved it.
    const phase = (await sessionAt(parts.sessions, found.key))?.phase ?? found.session.phase;
    return parts.turns.run({
      key: found.key,
      prompt: phase === COMPLETE_PHASE ? "stories" : (phase as (typeof PLANNING_PHASES)[number]),
      message: memberBlock(incoming.text, { user: incoming.userName, adapter: incoming.adapter }),
      shown: incoming.text,
      user: incoming.userName,
      chat: boundChat(targetOf(incoming)),
      signals,
    });
  });
  if (!outcome.ok) return outcome;
  const reply = plannerReply(outcome.session, outcome.text, outcome.ready, { interrupted: outcome.interrupted });
  await parts.directory.relay(outcome.session, incoming, reply);
  return { ok: true, reply };
}
