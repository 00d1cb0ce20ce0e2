import { DiscordAPIError } from "discord.js";
import type { ChatTarget } from "../../chat/incoming.ts";
import type { Outbound, SendResume } from "../../chat/outbound.ts";
import type { Reply } from "../../chat/reply.ts";
import { fail } from "../../projects/result.ts";
import { ADAPTER, sendableChannel, type DiscordContext } from "./context.ts";
import { sendFailure } from "./errors.ts";
import { renderReply } from "./render.ts";
import { sendPayloads } from "./send.ts";

/**
 * Discord's {@link Outbound}: posts a reply to a channel, thread or DM nobody is currently talking in
 * (mirrored planner replies, notifications). Thread ids are channel ids on Discord, so `threadId` wins
 * when given. Failures come back typed (see `sendFailure`) with what was already delivered, never thrown:
 * `deliveredParts` counts the reply's messages that are out, and a retry's `resume` skips that many.
 */
export function createDiscordOutbound(ctx: DiscordContext): Outbound {
  return {
    edit: (target, messageId, reply) => editDiscordMessage(ctx, target, messageId, reply),
    async send(target: ChatTarget, reply: Reply, resume?: SendResume) {
      const channelId = target.threadId ?? target.channelId;
      const slug = slugOf(reply);
      const skip = resume?.deliveredParts ?? 0;
      try {
        const channel = await sendableChannel(ctx.client, channelId);
        if (!channel) {
          ctx.log.warn({ adapter: ADAPTER, channel: channelId, slug }, "outbound target is not a text channel");
          return fail("send_failed", `Discord channel ${channelId} does not take messages.`, {
            details: { permanent: true, channelId },
          });
        }
        const sent = await sendPayloads(channel, renderReply(reply).slice(skip));
        if (!sent.error) return { ok: true, messageIds: sent.messageIds };
        return failed(sent.error, sent.messageIds);
      } catch (error) {
        return failed(error, []);
      }

      function failed(error: unknown, delivered: string[]) {
        const failure = sendFailure(error, channelId);
        failure.details = {
          ...failure.details,
          deliveredMessageIds: delivered,
          deliveredParts: skip + delivered.length,
        };
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

/** Discord's "Unknown Message" / "Unknown Channel": the message to edit is gone, send a new one. */
const GONE_CODES = new Set([10003, 10008]);

/**
 * Replaces a message's content and buttons in place (PATCH /channels/{id}/messages/{id}), for messages kept
 * up to date such as a run's progress: the first payload only (such messages are short). A deleted message
 * or channel is `message_gone`; other failures as `sendFailure`.
 */
async function editDiscordMessage(ctx: DiscordContext, target: ChatTarget, messageId: string, reply: Reply) {
  const channelId = target.threadId ?? target.channelId;
  try {
    const channel = await sendableChannel(ctx.client, channelId);
    if (!channel) return fail("message_gone", `Discord channel ${channelId} does not take messages.`);
    const [payload] = renderReply(reply);
    const edited = await channel.messages.edit(messageId, {
      content: payload?.content ?? "…",
      components: payload?.components ?? [],
    });
    return { ok: true as const, messageId: edited.id };
  } catch (error) {
    if (error instanceof DiscordAPIError && GONE_CODES.has(Number(error.code)))
      return fail("message_gone", `The Discord message ${messageId} is gone: ${error.message}.`);
    const failure = sendFailure(error, channelId);
    ctx.log.warn({ err: error, adapter: ADAPTER, channel: channelId, code: failure.code }, "discord edit failed");
    return failure;
  }
}

/** The project a reply is about, for logs: the Outbound port carries no slug, but its buttons name one. */
function slugOf(reply: Reply): string | undefined {
  for (const action of reply.actions ?? []) {
    const slug = /^\/\S+\s+([A-Za-z0-9][\w.-]*)/.exec(action.command)?.[1];
    if (slug) return slug;
  }
  return undefined;
}
