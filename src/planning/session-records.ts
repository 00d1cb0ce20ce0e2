import { type ChatTarget, conversationKey } from "../chat/incoming.ts";
import type { Clock } from "../projects/clock.ts";
import { fail, type Result } from "../projects/result.ts";
import { PLANNING_PHASES } from "./prompt-library.ts";
import { boundChat, type PlanningSession, type SessionStore, sessionChats } from "./session-store.ts";

/** What `SessionDirectory.open` needs to write a fresh session record. */
export interface NewSession {
  key: string;
  target: ChatTarget;
  slug: string;
  description: string;
  /** The planner's working folder, fixed for the whole session. */
  cwd: string;
  planningSessionId: string;
}

/** What writing session records needs: the store, the clock and new planner session ids. */
export interface SessionRecordDeps {
  sessions: SessionStore;
  clock: Clock;
  newId: () => string;
}

/** Adds a chat to an open session (idempotent); fails when the session has ended meanwhile. */
export function bindChat(
  deps: SessionRecordDeps,
  key: string,
  target: ChatTarget,
): Promise<Result<{ session: PlanningSession }>> {
  return deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
    const session = sessions[key];
    if (!session || session.closed_at) return fail("no_active_session", "That planning session has ended.");
    const wanted = conversationKey(target);
    if (!sessionChats(session).some((chat) => conversationKey(chat) === wanted)) {
      session.bound_chats = [...(session.bound_chats ?? []), boundChat(target)];
      session.updated_at = deps.clock.now().toISOString();
    }
    return { ok: true, session: structuredClone(session) };
  });
}

/** Writes a fresh session under `key`, closing any other open session of the same slug as replaced. */
export function openSession(
  deps: SessionRecordDeps,
  { key, target, slug, description, cwd, planningSessionId }: NewSession,
): Promise<Result<unknown>> {
  const now = () => deps.clock.now().toISOString();
  return deps.sessions.mutate((sessions) => {
    for (const [otherKey, session] of Object.entries(sessions)) {
      if (session.slug.toLowerCase() === slug.toLowerCase() && !session.closed_at && otherKey !== key) {
        session.closed_at = now();
        session.closed_reason = "replaced";
      }
    }
    sessions[key] = freshSession({ target, slug, description, cwd, planningSessionId }, deps.newId(), now());
    return { ok: true };
  });
}

/** Marks a session closed with a reason; the record stays so notifications still find its chats. */
export function closeSession(
  deps: SessionRecordDeps,
  key: string,
  reason: string,
): Promise<Result<{ session: PlanningSession }>> {
  const now = () => deps.clock.now().toISOString();
  return deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
    const session = sessions[key];
    if (!session) return fail("no_active_session", "No such planning session.");
    session.closed_at = now();
    session.closed_reason = reason;
    session.pending_message = null;
    session.deferred_message = null;
    session.updated_at = now();
    return { ok: true, session: structuredClone(session) };
  });
}

/**
 * The record of a session that has just opened: in the first phase, no planner session started yet
 * (`session_id` is the id the first turn will create), no turns, no cost, no other chats.
 */
function freshSession(fresh: Omit<NewSession, "key">, sessionId: string, at: string): PlanningSession {
  return {
    adapter: fresh.target.adapter,
    channel_id: fresh.target.channelId,
    thread_id: fresh.target.threadId ?? null,
    slug: fresh.slug,
    phase: PLANNING_PHASES[0],
    phases_planned: [...PLANNING_PHASES],
    phases_completed: [],
    session_id: sessionId,
    session_started: false,
    planning_session_id: fresh.planningSessionId,
    started_at: at,
    updated_at: at,
    last_text_excerpt: "",
    final_plan_path: null,
    phase_ready: false,
    description: fresh.description,
    cwd: fresh.cwd,
    bound_chats: [],
    cost_usd: 0,
    turns: 0,
    pending_message: null,
    closed_at: null,
    closed_reason: null,
  };
}
