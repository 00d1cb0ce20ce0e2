import type { Context, NextFunction } from "grammy";
import type { AdapterBot } from "../contract.ts";
import { createQuickLanes } from "../kit/quick-lanes.ts";
import { sequenceKey } from "./routing.ts";

/** grammY's side of the chat lanes (src/adapters/kit/quick-lanes.ts): `track` before `sequentialize`, `key` as its key. */
export interface QuickLane {
  /** Decides the update's lane and counts the chat's work until the update is handled. */
  track(ctx: Context, next: NextFunction): Promise<void>;
  /** The `sequentialize` key of an update: its chat (topic), or the chat's quick lane. */
  key(ctx: Context): string | undefined;
}

/** Creates the {@link QuickLane} of one Telegram adapter. */
export function createQuickLane(bot: Pick<AdapterBot, "registry">): QuickLane {
  const lanes = createQuickLanes(bot);
  const chosen = new WeakMap<Context, string>();
  return {
    async track(ctx, next) {
      const key = sequenceKey(ctx.msg);
      if (key === undefined) return next();
      const entered = lanes.enter(key, ctx.message?.text);
      chosen.set(ctx, entered.lane);
      try {
        await next();
      } finally {
        entered.leave();
      }
    },
    key: (ctx) => chosen.get(ctx) ?? sequenceKey(ctx.msg),
  };
}
