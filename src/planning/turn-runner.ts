import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Result } from "../projects/result.ts";
import type { ConversationLog } from "./conversation-log.ts";
import type { PlannerBackend } from "./planner-backend.ts";
import { readPhaseMarker } from "./protocol.ts";
import { createRunningTurns } from "./running-turns.ts";
import type { PlanningSession, SessionStore } from "./session-store.ts";
import { recordTurn } from "./turn-conversation.ts";
import type { TurnEvent } from "./turn-events.ts";
import type { TurnOutcome, TurnRequest } from "./turn-request.ts";
import { answerDiscarded, closedMeanwhile, markPending, settleFailure, storeAnswer } from "./turn-session.ts";

/** Dependencies of {@link createTurnRunner}. */
export interface TurnRunnerDeps {
  sessions: SessionStore;
  planner: PlannerBackend;
  conversations: ConversationLog;
  clock: Clock;
  log: Logger;
  bootId: string;
  newId: () => string;
  /** Told once when a lost planner session was replaced by one seeded from the record. */
  onReseeded?: (session: PlanningSession) => Promise<void>;
  /** Told when a message was kept for after a usage limit. */
  onDeferred?: () => Promise<unknown>;
  /** Told when a turn starts and when it has settled (see turn-events.ts). */
  onTurn?: (event: TurnEvent) => void;
}

/** Runs planner turns for sessions, recording the message as pending before and the outcome after. */
export interface TurnRunner {
  run(request: TurnRequest): Promise<Result<TurnOutcome>>;
  /** Stops the session's running turn (kills the planner's process group); false when none runs. */
  abort(key: string): boolean;
  /** Stops every running turn, whoever started it; resolves when all have ended. */
  abortAll(): Promise<void>;
  /** Turns running now. */
  readonly running: number;
}

/**
 * Creates a {@link TurnRunner}. The pending message is persisted before the planner starts, so a
 * process that dies mid-turn leaves a trace the next process reports instead of losing the message
 * silently; a failed turn leaves the phase and the planner session as they were, so resending works.
 * A turn whose session was closed meanwhile (/stop) is discarded: nothing is stored or delivered.
 */
export function createTurnRunner(deps: TurnRunnerDeps): TurnRunner {
  const turns = createRunningTurns(deps);

  /** Calls the planner for a marked request and settles the session record with its outcome. */
  async function settle(
    request: TurnRequest,
    marked: { session: PlanningSession; interrupted: TurnOutcome["interrupted"] },
  ): Promise<Result<TurnOutcome>> {
    const { answer, reseeded } = await turns.call(marked.session, request);
    if (!answer.ok) return settleFailure(deps, request, answer, marked.interrupted);
    const { text, ready } = readPhaseMarker(answer.text);
    // The record first, the pending mark cleared after: whoever sees the turn ended (a dashboard tab
    // reading plan/state, then plan/transcript) finds the answer in the record already.
    if (await closedMeanwhile(deps, request)) return answerDiscarded();
    await recordTurn(deps, marked.session, request, text);
    const stored = await storeAnswer(deps, request, answer, text, ready);
    if (!stored.ok) return stored;
    if (reseeded) await deps.onReseeded?.(stored.session);
    return { ok: true, text, ready, session: stored.session, interrupted: marked.interrupted, reseeded };
  }

  return {
    async run(request) {
      const marked = await markPending(deps, request);
      if (!marked.ok) return marked;
      const slug = marked.session.slug;
      deps.onTurn?.({ slug, state: "started" });
      try {
        return await settle(request, marked);
      } finally {
        deps.onTurn?.({ slug, state: "ended" });
      }
    },
    abort: (key) => turns.abort(key),
    abortAll: () => turns.abortAll(),
    get running() {
      return turns.size;
    },
  };
}
