import type { Clock } from "../projects/clock.ts";
import { fail, type Failure } from "../projects/result.ts";
import type { PlannerAnswer } from "./planner-backend.ts";
import type { PlanningSession, SessionStore } from "./session-store.ts";
import type { TurnOutcome, TurnRequest } from "./turn-request.ts";

/** What a turn's session record needs: the store, the clock, this process's boot id and new planner ids. */
export interface TurnSessionDeps {
  sessions: SessionStore;
  clock: Clock;
  bootId: string;
  newId: () => string;
  /** Told when a message was kept for after a usage limit. */
  onDeferred?: () => Promise<unknown>;
}

/** Marks the request as the session's pending message; notes a pending one an earlier process left unanswered. */
export async function markPending(deps: TurnSessionDeps, request: TurnRequest) {
  let interrupted: TurnOutcome["interrupted"];
  const marked = await deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
    const session = sessions[request.key];
    if (!session || session.closed_at)
      return fail("no_active_session", "This planning session has ended. Start again with /plan <slug>.");
    const pending = session.pending_message;
    if (pending && pending.boot_id !== deps.bootId) interrupted = { text: pending.text, user: pending.user };
    session.pending_message = {
      text: request.shown.slice(0, 4000),
      user: request.user,
      chat: request.chat,
      at: deps.clock.now().toISOString(),
      boot_id: deps.bootId,
    };
    return { ok: true, session: structuredClone(session) };
  });
  return marked.ok ? { ...marked, interrupted } : marked;
}

/**
 * After a failed turn: the pending mark goes, a message hit by a usage limit is kept to be sent again,
 * and the failure says whether the turn was stopped and which earlier message went unanswered.
 */
export async function settleFailure(
  deps: TurnSessionDeps,
  request: TurnRequest,
  answer: Failure,
  interrupted: TurnOutcome["interrupted"],
): Promise<Failure> {
  const retryAt =
    answer.details?.reason === "usage_limit" && typeof answer.details.retryAt === "string"
      ? answer.details.retryAt
      : undefined;
  await deps.sessions.mutate((sessions) => {
    const current = sessions[request.key];
    if (!current) return { ok: true };
    current.pending_message = null;
    // Kept until the usage limit resets, then sent again (also by a restarted planbot).
    if (retryAt && current.session_started)
      current.deferred_message = {
        prompt: request.prompt,
        message: request.message,
        shown: request.shown,
        user: request.user,
        chat: request.chat,
        retry_at: retryAt,
      };
    // A first turn that failed may or may not have created the planner session: start the next one fresh.
    if (!current.session_started) current.session_id = deps.newId();
    current.updated_at = deps.clock.now().toISOString();
    return { ok: true };
  });
  if (retryAt) await deps.onDeferred?.();
  if (answer.details?.reason === "aborted") return answerDiscarded();
  const note = interrupted
    ? `\n\nNote: your earlier message "${interrupted.text.slice(0, 120)}" was never answered (planbot restarted mid-turn); send it again if it still matters.`
    : "";
  return { ...answer, message: `${answer.message}${note}`, details: { ...answer.details, interrupted } };
}

/** Stores the planner's answer in the session: its planner session id, readiness, excerpt, cost and turn count. */
export function storeAnswer(
  deps: TurnSessionDeps,
  request: TurnRequest,
  answer: PlannerAnswer,
  text: string,
  ready: boolean,
) {
  return deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
    const current = sessions[request.key];
    // Stopped while the planner answered: the answer belongs to a closed session and is dropped.
    if (!current || current.closed_at) return answerDiscarded();
    current.session_id = answer.sessionId;
    current.session_started = true;
    current.pending_message = null;
    current.phase_ready = ready;
    current.last_text_excerpt = text.slice(0, 500);
    current.cost_usd = Math.round(((current.cost_usd ?? 0) + answer.costUsd) * 1e6) / 1e6;
    current.turns = (current.turns ?? 0) + 1;
    current.updated_at = deps.clock.now().toISOString();
    return { ok: true, session: structuredClone(current) };
  });
}

/**
 * Whether the request's session was stopped while the planner answered (its answer is then dropped,
 * not recorded). {@link storeAnswer} checks again under the lock.
 */
export async function closedMeanwhile(deps: TurnSessionDeps, request: TurnRequest): Promise<boolean> {
  const read = await deps.sessions.read();
  if (!read.ok) return false;
  const current = read.sessions[request.key];
  return !current || Boolean(current.closed_at);
}

/** The failure of a turn whose session was stopped while the planner answered. */
export function answerDiscarded(): Failure {
  return fail("no_active_session", "Planning was stopped while the planner was answering; its answer was discarded.", {
    details: { reason: "aborted" },
  });
}
