import type { ChatTarget } from "../../chat/incoming.ts";
import type { Outbound } from "../../chat/outbound.ts";
import type { Reply } from "../../chat/reply.ts";
import { fail } from "../../projects/result.ts";
import { ADAPTER, sendableChannel, type DiscordContext } from "./context.ts";
import { sendFailure } from "./errors.ts";
import { renderReply } from "./render.ts";
import { sendPayloads } from "./send.ts";

/**
 * Discord's {@link Outbound}: posts a reply to a channel, thread or DM nobody is currently talking in
 * (mirrored planner replies, notifications). Thread ids are channel ids on Discord, so `threadId` wins
 * when given. Failures come back typed (see `sendFailure`) with what was already delivered, never thrown.
 */
export function createDiscordOutbound(ctx: DiscordContext): Outbound {
  return {
    async send(target: ChatTarget, reply: Reply) {
      const channelId = target.threadId ?? target.channelId;
      const slug = slugOf(reply);
      try {
        const channel = await sendableChannel(ctx.client, channelId);
        if (!channel) {
          ctx.log.warn({ adapter: ADAPTER, channel: channelId, slug }, "outbound target is not a text channel");
          return fail("send_failed", `Discord channel ${channelId} does not take messages.`, {
            details: { permanent: true, channelId },
          });
        }
        const sent = await sendPayloads(channel, renderReply(reply));
        if (!sent.error) return { ok: true, messageIds: sent.messageIds };
        return failed(sent.error, sent.messageIds);
      } catch (error) {
        return failed(error, []);
      }

      function failed(error: unknown, delivered: string[]) {
        const failure = sendFailure(error, channelId);
        failure.details = { ...failure.details, deliveredMessageIds: delivered };
        ctx.log.warn(
          {
            err: error,
            adapter: ADAPTER,
            channel: channelId,
            slug,
            code: failure.code,
            permanent: failure.details.permanent,
          },
          "discord send failed",
        );
        return failure;
      }
    },
  };
}

/** The project a reply is about, for logs: the Outbound port carries no slug, but its buttons name one. */
function slugOf(reply: Reply): string | undefined {
  for (const action of reply.actions ?? []) {
    const slug = /^\/\S+\s+([A-Za-z0-9][\w.-]*)/.exec(action.command)?.[1];
    if (slug) return slug;
  }
  return undefined;
}
