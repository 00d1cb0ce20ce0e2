import { chunkText } from "../../chat/chunk.ts";
import type { Reply } from "../../chat/reply.ts";

/** Discord's message content limit. */
export const DISCORD_TEXT_LIMIT = 2000;

/**
 * Discord renders the reply markup natively (it is a subset of Discord markdown, escapes included), so
 * rendering is chunking; mentions are neutralised so planner text can never ping @everyone.
 */
export function renderDiscordReply(reply: Reply, limit = DISCORD_TEXT_LIMIT): string[] {
  const safe = reply.text.replace(/@(everyone|here)/g, "@\u200b$1");
  return chunkText(safe, limit);
}
