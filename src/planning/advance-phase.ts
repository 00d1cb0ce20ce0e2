import { targetOf } from "../chat/incoming.ts";
import { bold, code, type Reply } from "../chat/reply.ts";
import { fail, type Result } from "../projects/result.ts";
import type { FoundSession } from "./session-directory.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningRequest } from "./planning-port.ts";
import { phaseLabel, plannerReply } from "./planning-replies.ts";
import { COMPLETE_PHASE, PLANNING_PHASES } from "./prompt-library.ts";
import { planWrittenText } from "./session-finalizer.ts";
import { boundChat, sessionAt, type PlanningSession } from "./session-store.ts";

/** What {@link advancePhase} uses of the planning service. */
export type AdvanceParts = Pick<PlanningParts, "sessions" | "directory" | "turns" | "finalizer" | "clock">;

/**
 * `/next`: moves the session to its next phase and runs the planner's opening turn of it; after the
 * last phase it writes the final plan instead. A written plan only points at `/done`.
 */
export async function advancePhase(parts: AdvanceParts, request: PlanningRequest): Promise<Result<{ reply: Reply }>> {
  return parts.directory.inArrivalOrder(request.incoming, async (found): Promise<Result<{ reply: Reply }>> => {
    const session = await sessionAt(parts.sessions, found.key);
    if (!session || session.closed_at) return fail("no_active_session", "This planning session has ended.");
    if (session.phase === COMPLETE_PHASE)
      return {
        ok: true,
        reply: {
          text: `The plan is written. ${code("/done")} approves ${bold(session.slug)}.`,
          actions: [{ label: "Approve (/done)", command: "/done", style: "success" }],
        },
      };
    const index = PLANNING_PHASES.indexOf(session.phase as (typeof PLANNING_PHASES)[number]);
    const following = PLANNING_PHASES[index + 1];
    const moved = following
      ? await enterPhase(parts, found, session, following, request)
      : await writePlan(parts, found, session, request);
    if (!moved.ok) return moved;
    const current = await sessionAt(parts.sessions, found.key);
    if (current) await parts.directory.relay(current, request.incoming, moved.reply, "/next");
    return moved;
  });
}

/** After the last phase: the final plan and PRD are written and the session is complete. */
async function writePlan(
  parts: AdvanceParts,
  found: FoundSession,
  session: PlanningSession,
  request: PlanningRequest,
): Promise<Result<{ reply: Reply }>> {
  const finished = await parts.finalizer.finalize(found.key, session, request);
  if (!finished.ok) return finished;
  return {
    ok: true,
    reply: plannerReply(finished.session, planWrittenText(finished.written, finished.session.slug), true),
  };
}

/** Records the phase just left as completed, moves to `following` and asks the planner to open it. */
async function enterPhase(
  parts: AdvanceParts,
  found: FoundSession,
  session: PlanningSession,
  following: (typeof PLANNING_PHASES)[number],
  request: PlanningRequest,
): Promise<Result<{ reply: Reply }>> {
  const moved = await parts.sessions.mutate((sessions) => {
    const current = sessions[found.key]!;
    current.phases_completed = [...new Set([...current.phases_completed, session.phase])];
    current.phase = following;
    current.phase_ready = false;
    current.updated_at = parts.clock.now().toISOString();
    return { ok: true };
  });
  if (!moved.ok) return moved;
  const outcome = await parts.turns.run({
    key: found.key,
    prompt: following,
    message: `Let's move on to the ${following} phase.`,
    shown: request.incoming.text,
    user: request.incoming.userName,
    chat: boundChat(targetOf(request.incoming)),
    signals: request.signals,
  });
  if (!outcome.ok) return outcome;
  const reply = plannerReply(outcome.session, outcome.text, outcome.ready, {
    header: `${bold(session.slug)} — ${phaseLabel(following)}`,
    interrupted: outcome.interrupted,
  });
  return { ok: true, reply };
}
