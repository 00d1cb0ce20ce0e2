import { chunkText } from "../../chat/chunk.ts";
import { numberOrderedLists } from "../../chat/list-numbers.ts";
import type { Reply } from "../../chat/reply.ts";
import { createRecentRenders } from "../kit/recent-renders.ts";

/** Discord's message content limit. */
export const DISCORD_TEXT_LIMIT = 2000;

/**
 * Discord renders the reply markup natively (it is a subset of Discord markdown, escapes included), so
 * rendering is chunking; mentions are neutralised so planner text can never ping @everyone. Ordered lists
 * get their numbers first: Discord numbers a list from its first item's number, so a list split across two
 * messages goes on counting instead of starting again at 1, and shows what the terminal and Telegram show.
 */
export function renderDiscordReply(reply: Reply, limit = DISCORD_TEXT_LIMIT): readonly string[] {
  if (limit !== DISCORD_TEXT_LIMIT) return renderChunks(reply.text, limit);
  return rendered.get(reply.text, (text) => renderChunks(text, limit));
}

function renderChunks(text: string, limit: number): string[] {
  return chunkText(numberOrderedLists(text).replace(/@(everyone|here)/g, "@\u200b$1"), limit);
}

/** 32 texts of up to one message each. */
const rendered = createRecentRenders<string>(32, DISCORD_TEXT_LIMIT);
