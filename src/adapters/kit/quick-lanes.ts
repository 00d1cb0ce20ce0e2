import type { AdapterBot } from "../contract.ts";

/**
 * Lanes for one chat's work. An adapter runs a chat's messages one at a time so replies come out in the
 * order the messages came in, but a planner turn can take minutes (PLANNER_TIMEOUT_S): a `/status` or
 * `/stop` typed meanwhile waited behind it, and `/stop` could not stop the turn it was meant for. So while
 * a chat has other work queued or running, a quick command (one the registry does not mark `slow`: /status,
 * /stop, /help, /p…) takes a lane of its own, in order with the chat's other quick commands. With nothing
 * else waiting it takes the chat's own lane, so `/p app …` then `/plan app` still run in that order. The
 * terminal does the same (src/adapters/console/console-session.ts).
 */
export interface QuickLanes {
  /**
   * The lane (queue key) for a line in the chat `key`, and `leave`, to call once the line is handled.
   * Call it when the line arrives, before it waits in any queue.
   */
  enter(key: string, text: string | undefined): { lane: string; leave(): void };
}

/** `/name` or `/name@bot` at the start of a line. */
const COMMAND_NAME = /^\/([A-Za-z0-9_-]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)/;

/** Creates the {@link QuickLanes} of one adapter. */
export function createQuickLanes(bot: Pick<AdapterBot, "registry">): QuickLanes {
  /** Per chat: lines in the chat's own lane that are not quick commands, queued or running. */
  const busy = new Map<string, number>();
  // Only the name decides the lane: a look-up, not a second parse of the line on the message hot path.
  const isQuick = (text: string | undefined): boolean => {
    const name = text === undefined ? undefined : COMMAND_NAME.exec(text.trimStart())?.[1];
    const command = name === undefined ? undefined : bot.registry.find(name);
    return command !== undefined && command.slow !== true;
  };
  return {
    enter(key, text) {
      if (isQuick(text)) return { lane: busy.has(key) ? `${key}:quick` : key, leave: () => undefined };
      busy.set(key, (busy.get(key) ?? 0) + 1);
      let left = false;
      return {
        lane: key,
        leave() {
          if (left) return;
          left = true;
          const count = (busy.get(key) ?? 1) - 1;
          if (count > 0) busy.set(key, count);
          else busy.delete(key);
        },
      };
    },
  };
}
