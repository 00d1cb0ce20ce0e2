import type { TurnSignals } from "../chat/turn-signals.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import { fail, type Result } from "../projects/result.ts";
import type { PlannerBackend } from "./planner-backend.ts";
import { renderPrompt, type PromptName } from "./prompt-library.ts";
import { readPhaseMarker } from "./protocol.ts";
import type { BoundChat, PlanningSession, SessionStore } from "./session-store.ts";

/** One planner turn as the service asks for it. */
export interface TurnRequest {
  key: string;
  prompt: PromptName;
  message: string;
  /** Who sent it and from where (recorded as the pending message). */
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
}

/** Dependencies of {@link createTurnRunner}. */
export interface TurnRunnerDeps {
  sessions: SessionStore;
  planner: PlannerBackend;
  clock: Clock;
  log: Logger;
  bootId: string;
  newId: () => string;
}

/** Runs planner turns for sessions, recording the message as pending before and the outcome after. */
export interface TurnRunner {
  run(request: TurnRequest): Promise<Result<TurnOutcome>>;
}

/**
 * Creates a {@link TurnRunner}. The pending message is persisted before the planner starts, so a
 * process that dies mid-turn leaves a trace the next process reports instead of losing the message
 * silently; a failed turn leaves the phase and the planner session as they were, so resending works.
 */
export function createTurnRunner(deps: TurnRunnerDeps): TurnRunner {
  const now = () => deps.clock.now().toISOString();

  return {
    async run(request) {
      let interrupted: TurnOutcome["interrupted"];
      const marked = await deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
        const session = sessions[request.key];
        if (!session || session.closed_at) return fail("no_active_session", "This planning session has ended. Start again with /plan <slug>.");
        const pending = session.pending_message;
        if (pending && pending.boot_id !== deps.bootId) interrupted = { text: pending.text, user: pending.user };
        session.pending_message = { text: request.message.slice(0, 4000), user: request.user, chat: request.chat, at: now(), boot_id: deps.bootId };
        return { ok: true, session: structuredClone(session) };
      });
      if (!marked.ok) return marked;
      const session = marked.session;
      const values = { slug: session.slug, description: session.description ?? "", ...request.promptValues };

      request.signals?.working?.(true);
      const started = performance.now();
      const answer = await deps.planner.run({
        sessionId: session.session_id,
        resume: session.session_started === true,
        systemPrompt: renderPrompt(request.prompt, values),
        message: request.message,
        cwd: session.cwd ?? process.cwd(),
        signal: request.signals?.abort,
      });
      request.signals?.working?.(false);
      deps.log.info(
        { slug: session.slug, adapter: request.chat.adapter, phase: session.phase, prompt: request.prompt, ok: answer.ok, ms: Math.round(performance.now() - started), reason: answer.ok ? undefined : answer.details?.reason },
        "planner turn",
      );

      if (!answer.ok) {
        await deps.sessions.mutate((sessions) => {
          const current = sessions[request.key];
          if (!current) return { ok: true };
          current.pending_message = null;
          // A first turn that failed may or may not have created the planner session: start the next one fresh.
          if (!current.session_started) current.session_id = deps.newId();
          current.updated_at = now();
          return { ok: true };
        });
        const note = interrupted ? `\n\nNote: your earlier message "${interrupted.text.slice(0, 120)}" was never answered (planbot restarted mid-turn); send it again if it still matters.` : "";
        return { ...answer, message: `${answer.message}${note}`, details: { ...answer.details, interrupted } };
      }

      const { text, ready } = readPhaseMarker(answer.text);
      const stored = await deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
        const current = sessions[request.key];
        if (!current) return fail("no_active_session", "The planning session was removed while the planner was answering.");
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
      if (!stored.ok) return stored;
      return { ok: true, text, ready, session: stored.session, interrupted };
    },
  };
}
