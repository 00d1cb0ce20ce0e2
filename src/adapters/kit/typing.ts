import type { TurnSignals } from "../../chat/turn-signals.ts";
import type { Logger } from "../../log.ts";

/** Sends one typing notice to a chat, named by the adapter's own key (a Discord channel, a Telegram chat and topic). */
export type SendTyping = (key: string) => Promise<unknown>;

/** A typing indicator bound to one handled message or command. */
export interface TypingSession {
  /** Passed to the core: the planner reports when it starts and stops working. */
  signals: TurnSignals;
  /** Stops this session's indicator even if the core never said `working(false)` (errors, early returns). */
  done(): void;
}

/**
 * Typing indicators shared by an adapter's handlers, counted per chat so overlapping work never stops one
 * early. The platform shows "typing…" for a few seconds after each notice, so it is renewed every
 * `renewMs` (Discord ~10 s: 8 s; Telegram ~5 s: 4 s) while the core says it is working.
 */
export interface TypingIndicators {
  /** A session that shows typing in each of the chats `channelIds` while the core says it is working. */
  session(channelIds: string[]): TypingSession;
  /** Clears every timer (adapter stop). */
  stopAll(): void;
}

/** Creates the {@link TypingIndicators}; failures to send a typing notice are cosmetic and only logged at debug. */
export function createTypingIndicators(sendTyping: SendTyping, log: Logger, renewMs: number): TypingIndicators {
  const active = new Map<string, { count: number; timer: NodeJS.Timeout }>();

  const ping = (channelId: string) => {
    sendTyping(channelId).catch((error: unknown) =>
      log.debug({ err: error, channel: channelId }, "typing indicator failed"),
    );
  };

  const start = (channelId: string) => {
    const entry = active.get(channelId);
    if (entry) {
      entry.count += 1;
      return;
    }
    ping(channelId);
    const timer = setInterval(() => ping(channelId), renewMs);
    // A typing timer alone must never keep the process alive.
    timer.unref();
    active.set(channelId, { count: 1, timer });
  };

  const stop = (channelId: string) => {
    const entry = active.get(channelId);
    if (!entry) return;
    entry.count -= 1;
    if (entry.count > 0) return;
    clearInterval(entry.timer);
    active.delete(channelId);
  };

  return {
    session(channelIds) {
      const targets = [...new Set(channelIds)];
      let on = false;
      const set = (working: boolean) => {
        if (working === on) return;
        on = working;
        for (const channelId of targets) (working ? start : stop)(channelId);
      };
      return { signals: { working: set }, done: () => set(false) };
    },
    stopAll() {
      for (const entry of active.values()) clearInterval(entry.timer);
      active.clear();
    },
  };
}
