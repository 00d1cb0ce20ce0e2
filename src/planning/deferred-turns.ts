import type { Reply } from "../chat/reply.ts";
import { bold, escapeMarkup } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { KeyedQueue } from "./keyed-queue.ts";
import { plannerReply } from "./planning-replies.ts";
import type { PromptName } from "./prompt-library.ts";
import type { PlanningSession, SessionStore } from "./session-store.ts";
import type { TurnRunner } from "./turn-runner.ts";

/** A message the planner could not take because of a usage limit, kept in the session until it resets. */
export interface DeferredMessage {
  prompt: PromptName;
  message: string;
  shown: string;
  user: string;
  chat: { adapter: string; channel_id: string; thread_id?: string | null | undefined };
  retry_at: string;
}

/** Dependencies of {@link createDeferredTurns}. */
export interface DeferredTurnsDeps {
  sessions: SessionStore;
  turns: TurnRunner;
  queue: KeyedQueue;
  clock: Clock;
  log: Logger;
  /** Delivers a reply to every chat of the session. */
  deliver(session: PlanningSession, reply: Reply): Promise<void>;
}

/** Sends kept messages again when their usage limit resets; the schedule survives restarts (it lives in the session). */
export interface DeferredTurns {
  /** Sets a timer for every kept message (call at start and after a message was kept). */
  schedule(): Promise<number>;
  stop(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Creates the {@link DeferredTurns}. */
export function createDeferredTurns(deps: DeferredTurnsDeps): DeferredTurns {
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  async function resend(key: string): Promise<void> {
    timers.delete(key);
    const taken = await deps.sessions.mutate<{ deferred: DeferredMessage | undefined }>((sessions) => {
      const session = sessions[key];
      const deferred = session?.deferred_message as DeferredMessage | undefined;
      if (session) delete session.deferred_message;
      // A session closed meanwhile (/stop, approval) drops its kept message.
      return { ok: true, deferred: session && !session.closed_at ? deferred : undefined };
    });
    if (!taken.ok || !taken.deferred) return;
    const deferred = taken.deferred;
    const outcome = await deps.queue.run(key, () =>
      deps.turns.run({
        key,
        prompt: deferred.prompt,
        message: deferred.message,
        shown: deferred.shown,
        user: deferred.user,
        chat: deferred.chat,
      }),
    );
    const header = `The usage limit has reset; planbot sent ${bold(deferred.user)}'s message again: "${escapeMarkup(deferred.shown.slice(0, 200))}"`;
    if (outcome.ok)
      await deps.deliver(outcome.session, plannerReply(outcome.session, outcome.text, outcome.ready, { header }));
    else {
      const read = await deps.sessions.read();
      const session = read.ok ? read.sessions[key] : undefined;
      if (session && outcome.details?.reason !== "usage_limit")
        await deps.deliver(session, { text: `${header}, but the planner failed: ${outcome.message}`, tone: "error" });
      if (outcome.details?.reason === "usage_limit") await schedule();
    }
  }

  async function schedule(): Promise<number> {
    if (stopped) return 0;
    const read = await deps.sessions.read();
    if (!read.ok) return 0;
    let count = 0;
    for (const [key, session] of Object.entries(read.sessions)) {
      const deferred = session.deferred_message as DeferredMessage | undefined;
      if (!deferred || session.closed_at || timers.has(key)) continue;
      const wait = Math.max(0, Math.min(MAX_TIMER_MS, Date.parse(deferred.retry_at) - deps.clock.now().getTime()));
      const timer = setTimeout(
        () => {
          resend(key).catch((error: unknown) =>
            deps.log.error({ slug: session.slug, err: error }, "resending a kept planner message failed"),
          );
        },
        Number.isFinite(wait) ? wait : 0,
      );
      timer.unref();
      timers.set(key, timer);
      count += 1;
    }
    return count;
  }

  return {
    schedule,
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
