import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import { fail, type Failure } from "../../projects/result.ts";

/** Discord error codes that mean "this chat is gone or closed to the bot": retrying cannot help. */
const PERMANENT_CODES = new Set([
  10003, // Unknown Channel
  10013, // Unknown User
  50001, // Missing Access
  50007, // Cannot send messages to this user
  50013, // Missing Permissions
  50083, // Thread is archived
]);

/** Codes that mean the interaction can no longer be answered (too late, or the token expired). */
const EXPIRED_INTERACTION_CODES = new Set([
  10015, // Unknown Webhook (interaction token no longer valid)
  10062, // Unknown interaction (first answer after 3 s)
  50027, // Invalid Webhook Token (older than 15 minutes)
]);

/** The Discord error code of a REST failure, if it carries one. */
export function discordCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError && typeof error.code === "number" ? error.code : undefined;
}

/** Whether answering through the interaction is no longer possible, so the channel is the only way left. */
export function isExpiredInteraction(error: unknown): boolean {
  const code = discordCode(error);
  return code !== undefined && EXPIRED_INTERACTION_CODES.has(code);
}

/** A short, user-facing reason for a REST failure (no tokens: discord.js messages name only the route). */
export function describeError(error: unknown): string {
  if (error instanceof RateLimitError)
    return `Discord is rate limiting planbot (retry in ${Math.ceil(error.retryAfter / 1000)} s)`;
  if (error instanceof DiscordAPIError) return `Discord refused it: ${error.message} (code ${String(error.code)})`;
  if (error instanceof HTTPError) return `Discord had a server error (${error.status})`;
  return `it could not reach Discord (${(error as Error)?.message ?? String(error)})`;
}

/**
 * Maps a failed send to the Outbound failure the notifier acts on: rate limits discord.js gave up waiting
 * for carry `retryAfterMs`; 5xx and network errors are worth retrying; Discord's 4xx refusals (unknown
 * channel, missing access or permissions, invalid body) are permanent.
 */
export function sendFailure(error: unknown, channelId: string): Failure {
  const reason = describeError(error);
  if (error instanceof RateLimitError) {
    return fail("rate_limited", `Sending to Discord channel ${channelId} is rate limited: ${reason}.`, {
      details: { permanent: false, retryAfterMs: Math.max(0, Math.ceil(error.retryAfter)), channelId },
    });
  }
  if (error instanceof DiscordAPIError) {
    const code = discordCode(error);
    const permanent =
      (code !== undefined && PERMANENT_CODES.has(code)) ||
      (error.status >= 400 && error.status < 500 && error.status !== 429);
    return fail("send_failed", `Sending to Discord channel ${channelId} failed: ${reason}.`, {
      details: { permanent, discordCode: code, status: error.status, channelId },
    });
  }
  if (error instanceof HTTPError) {
    return fail("send_failed", `Sending to Discord channel ${channelId} failed: ${reason}.`, {
      details: { permanent: false, status: error.status, channelId },
    });
  }
  return fail("send_failed", `Sending to Discord channel ${channelId} failed: ${reason}.`, {
    details: { permanent: false, channelId },
  });
}
