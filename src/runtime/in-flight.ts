import type { Bot } from "../bot/bot.ts";

/** A bot wrapper that counts running handlers, so shutdown can wait for them. */
export interface InFlightBot extends Bot {
  /** Resolves when no handler is running (immediately if none is). */
  drain(): Promise<void>;
  readonly running: number;
}

/** Wraps `bot` so every handled message is tracked until its replies are ready. */
export function trackInFlight(bot: Bot): InFlightBot {
  let running = 0;
  let waiters: (() => void)[] = [];
  const settle = (): void => {
    running -= 1;
    if (running === 0) {
      for (const wake of waiters) wake();
      waiters = [];
    }
  };
  // The caller gets `work` itself: its reaction runs after `settle` (registered first), and no derived
  // promise (`finally` makes three) stands between every handled message and its replies.
  const track = <T>(work: Promise<T>): Promise<T> => {
    running += 1;
    work.then(settle, settle);
    return work;
  };
  return {
    registry: bot.registry,
    commandFor: (text) => bot.commandFor(text),
    hasSession: (target) => bot.hasSession(target),
    handle: (incoming, options) => track(bot.handle(incoming, options)),
    handleCommand: (incoming, signals) => track(bot.handleCommand(incoming, signals)),
    handleAnswer: (incoming, signals) => track(bot.handleAnswer(incoming, signals)),
    async press(incoming, choice, signals) {
      const outcome = await track(bot.press(incoming, choice, signals));
      return outcome.kind === "claimed" ? { ...outcome, run: (late) => track(outcome.run(late)) } : outcome;
    },
    drain: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    get running() {
      return running;
    },
  };
}
