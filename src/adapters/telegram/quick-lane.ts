import type { Context, NextFunction } from "grammy";
import type { AdapterBot } from "../contract.ts";
import { sequenceKey } from "./routing.ts";

/**
 * Which queue a Telegram update waits in. Updates of one chat (one topic) run one at a time, so replies come
 * out in the order the messages came in. But a planner turn can take minutes (PLANNER_TIMEOUT_S), and a
 * `/status` or `/stop` typed meanwhile waited behind it: `/stop` could not stop the turn it was meant for.
 * So while a chat's queue holds other work, a quick command (one the registry does not mark `slow`: /status,
 * /stop, /help, /p…) takes a lane of its own, in order with the chat's other quick commands; with nothing
 * waiting it queues as before, so `/p app …` then `/plan app` still run in that order. As in the terminal.
 */
export interface QuickLane {
  /** Counts the chat's queued and running work; put it before `sequentialize`. */
  track(ctx: Context, next: NextFunction): Promise<void>;
  /** The `sequentialize` key of an update. */
  key(ctx: Context): string | undefined;
}

/** Creates the {@link QuickLane} of one adapter. */
export function createQuickLane(bot: Pick<AdapterBot, "commandFor">): QuickLane {
  /** Per chat key: updates in the chat's own lane that are not quick commands, queued or running. */
  const busy = new Map<string, number>();
  const quick = new WeakSet<Context>();

  function isQuickCommand(ctx: Context): boolean {
    const text = ctx.message?.text;
    if (text === undefined || !text.trimStart().startsWith("/")) return false;
    const command = bot.commandFor(text);
    return command !== undefined && command.slow !== true;
  }

  return {
    async track(ctx, next) {
      const key = sequenceKey(ctx.msg);
      if (key === undefined) return next();
      if (isQuickCommand(ctx)) {
        quick.add(ctx);
        return next();
      }
      busy.set(key, (busy.get(key) ?? 0) + 1);
      try {
        await next();
      } finally {
        const left = (busy.get(key) ?? 1) - 1;
        if (left > 0) busy.set(key, left);
        else busy.delete(key);
      }
    },
    key(ctx) {
      const key = sequenceKey(ctx.msg);
      if (key === undefined || !quick.has(ctx) || !busy.has(key)) return key;
      return `${key}:quick`;
    },
  };
}
