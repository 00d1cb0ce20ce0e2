import type { Api } from "grammy";
import type { TurnSignals } from "../../chat/turn-signals.ts";
import type { Logger } from "../../log.ts";

/** Telegram shows a chat action for about 5 s; renewing every 4 s keeps "typing…" up without gaps. */
export const TYPING_INTERVAL_MS = 4000;

/** Typing indicators of one adapter: per turn signals, and a way to silence them all at shutdown. */
export interface TypingIndicators {
  /** Signals for one turn in a chat (and topic): `working(true)` starts "typing…", `working(false)` stops it. */
  signalsFor(chatId: number, threadId: number | undefined): TurnSignals & { stop(): void };
  stopAll(): void;
}

/** Creates the {@link TypingIndicators}; failures to send the action are logged at debug and otherwise ignored. */
export function createTypingIndicators(api: Api, log: Logger, intervalMs = TYPING_INTERVAL_MS): TypingIndicators {
  const active = new Set<NodeJS.Timeout>();
  return {
    signalsFor(chatId, threadId) {
      let timer: NodeJS.Timeout | undefined;
      const ping = () => {
        api.sendChatAction(chatId, "typing", threadId !== undefined ? { message_thread_id: threadId } : {}).catch((error: unknown) => {
          // Cosmetic only: never let a failed chat action disturb the turn.
          log.debug({ adapter: "telegram", chat: chatId, err: error }, "sendChatAction failed");
        });
      };
      const stop = () => {
        if (!timer) return;
        clearInterval(timer);
        active.delete(timer);
        timer = undefined;
      };
      return {
        working(on) {
          if (!on) return stop();
          if (timer) return;
          ping();
          timer = setInterval(ping, intervalMs);
          // A forgotten indicator must not keep the process alive.
          timer.unref();
          active.add(timer);
        },
        stop,
      };
    },
    stopAll() {
      for (const timer of active) clearInterval(timer);
      active.clear();
    },
  };
}
