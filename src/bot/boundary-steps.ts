import { errorReply, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Middleware } from "./compose.ts";
import type { Dispatch } from "./dispatch.ts";

/** The last-resort guard around every chain: a handler that throws is logged and answered, never propagated. */
export function guardStep(log: Logger): Middleware<Dispatch, Reply[]> {
  return async (context, next) => {
    try {
      return await next();
    } catch (error) {
      log.error(
        { err: error, adapter: context.incoming.adapter, command: context.parsed?.command.name },
        "handler failed",
      );
      return [
        errorReply(
          "Something went wrong on planbot's side; it is logged. Try again, or /status to see where things stand.",
        ),
      ];
    }
  };
}

/** One log line per handled command or answer, with adapter, channel, user, command and slug as fields. */
export function logStep(log: Logger): Middleware<Dispatch, Reply[]> {
  return async (context, next) => {
    const started = performance.now();
    const replies = await next();
    if (context.noSession) return replies;
    log.info(
      {
        adapter: context.incoming.adapter,
        channel: context.incoming.channelId,
        user: context.incoming.userId,
        command: context.parsed?.command.name ?? "answer",
        slug: context.parsed?.args.slug,
        replies: replies.length,
        error: replies.some((r) => r.tone === "error") || undefined,
        ms: Math.round(performance.now() - started),
      },
      "handled",
    );
    return replies;
  };
}
