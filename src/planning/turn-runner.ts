import type { TurnSignals } from "../chat/turn-signals.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import { fail, type Failure, type Result } from "../projects/result.ts";
import type { ConversationLog } from "./conversation-log.ts";
import type { PlannerAnswer, PlannerBackend } from "./planner-backend.ts";
import { callPlanner, type PlannerCall } from "./planner-call.ts";
import type { PromptName } from "./prompt-library.ts";
import { readPhaseMarker } from "./protocol.ts";
import type { BoundChat, PlanningSession, SessionStore } from "./session-store.ts";

/** One planner turn as the service asks for it. */
export interface TurnRequest {
  key: string;
  prompt: PromptName;
  /** What the planner receives (member text already delimited, see member-message.ts). */
  message: string;
  /** What the conversation record shows as the user's message: their text, or the command they gave. */
  shown: string;
  /** Who sent it and from where (recorded as the pending message and in the conversation record). */
  user: string;
  chat: BoundChat;
  signals?: TurnSignals | undefined;
  promptValues?: Record<string, string>;
}

/** A finished turn: the reply without the ready marker, and the session as stored afterwards. */
export interface TurnOutcome {
  text: string;
  ready: boolean;
  session: PlanningSession;
  /** A message of an earlier process that never got its answer (the user should resend it). */
  interrupted?: { text: string; user: string } | undefined;
  /** Set when the planner's session was lost and a new one was seeded from planbot's record. */
  reseeded?: boolean | undefined;
}

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
  const now = () => deps.clock.now().toISOString();
  const active = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  async function record(session: PlanningSession, request: TurnRequest, replyText: string): Promise<void> {
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

  /** Marks the request as the session's pending message; notes a pending one an earlier process left unanswered. */
  async function markPending(request: TurnRequest) {
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
        at: now(),
        boot_id: deps.bootId,
      };
      return { ok: true, session: structuredClone(session) };
    });
    return marked.ok ? { ...marked, interrupted } : marked;
  }

  /** Calls the planner as the session's running turn: abortable by /stop and by the asker, "working" meanwhile. */
  async function callTracked(session: PlanningSession, request: TurnRequest): Promise<PlannerCall> {
    const controller = new AbortController();
    // The asker can cancel too (Ctrl-C in the terminal, the terminal closed).
    if (request.signals?.abort?.aborted) controller.abort();
    request.signals?.abort?.addEventListener("abort", () => controller.abort(), { once: true });
    let finish!: () => void;
    active.set(request.key, { controller, done: new Promise<void>((resolve) => (finish = resolve)) });
    request.signals?.working?.(true);
    const started = performance.now();
    let outcome: PlannerCall;
    try {
      outcome = await callPlanner(deps, session, request, controller.signal);
    } finally {
      active.delete(request.key);
      finish();
      request.signals?.working?.(false);
    }
    const { answer, reseeded } = outcome;
    deps.log.info(
      {
        slug: session.slug,
        adapter: request.chat.adapter,
        phase: session.phase,
        prompt: request.prompt,
        ok: answer.ok,
        reseeded,
        ms: Math.round(performance.now() - started),
        reason: answer.ok ? undefined : answer.details?.reason,
      },
      "planner turn",
    );
    return outcome;
  }

  /**
   * After a failed turn: the pending mark goes, a message hit by a usage limit is kept to be sent again,
   * and the failure says whether the turn was stopped and which earlier message went unanswered.
   */
  async function settleFailure(
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
      current.updated_at = now();
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
  function storeAnswer(request: TurnRequest, answer: PlannerAnswer, text: string, ready: boolean) {
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
      current.updated_at = now();
      return { ok: true, session: structuredClone(current) };
    });
  }

  return {
    async run(request) {
      const marked = await markPending(request);
      if (!marked.ok) return marked;
      const { answer, reseeded } = await callTracked(marked.session, request);
      if (!answer.ok) return settleFailure(request, answer, marked.interrupted);
      const { text, ready } = readPhaseMarker(answer.text);
      const stored = await storeAnswer(request, answer, text, ready);
      if (!stored.ok) return stored;
      await record(stored.session, request, text);
      if (reseeded) await deps.onReseeded?.(stored.session);
      return { ok: true, text, ready, session: stored.session, interrupted: marked.interrupted, reseeded };
    },

    abort(key) {
      const turn = active.get(key);
      if (!turn) return false;
      turn.controller.abort();
      return true;
    },

    async abortAll() {
      const turns = [...active.values()];
      for (const turn of turns) turn.controller.abort();
      await Promise.all(turns.map((turn) => turn.done));
    },

    get running() {
      return active.size;
    },
  };
}

/** The failure of a turn whose session was stopped while the planner answered. */
function answerDiscarded(): Failure {
  return fail("no_active_session", "Planning was stopped while the planner was answering; its answer was discarded.", {
    details: { reason: "aborted" },
  });
}
