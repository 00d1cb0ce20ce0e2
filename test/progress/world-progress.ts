/**
 * Readers of the progress messages a mission world's planbot sent: the planning group on the fake Telegram
 * and the notify channel on the fake Discord, with every edit in order.
 */
import { planChat, DISCORD_NOTIFY, type World } from "../mission/world.ts";
import type { SentMessage } from "../fakes/telegram/index.ts";

/** Telegram: every send and edit of `slug`'s progress messages in the planning group, in order. */
export function telegramProgress(w: World, slug: string): SentMessage[] {
  return w.telegram.sentMessages(planChat.id).filter((message) => message.plain_text.startsWith(`${slug} — Ralph`));
}

/** One send or edit of a progress message on Discord. */
export interface DiscordProgress {
  kind: "sent" | "edited";
  messageId: string;
  content: string;
}

/** Discord: every send (POST) and edit (PATCH) of `slug`'s progress messages in the notify channel, in order. */
export function discordProgress(w: World, slug: string): DiscordProgress[] {
  const prefix = `**${slug}** — Ralph`;
  const out: DiscordProgress[] = [];
  for (const request of w.discord.requests) {
    const content = (request.body as { content?: unknown } | undefined)?.content;
    if (typeof content !== "string" || !content.startsWith(prefix) || request.status >= 300) continue;
    if (request.method === "POST" && request.path === `/channels/${DISCORD_NOTIFY}/messages`)
      out.push({ kind: "sent", messageId: String((request.response as { id: string }).id), content });
    const edit = new RegExp(`^/channels/${DISCORD_NOTIFY}/messages/(\\d+)$`).exec(request.path);
    if (request.method === "PATCH" && edit) out.push({ kind: "edited", messageId: edit[1]!, content });
  }
  return out;
}

/** The k of every "story k/N" in `texts`, in order. */
export function storyNumbers(texts: string[]): number[] {
  return texts.flatMap((text) => {
    const match = /story (\d+)\/\d+/.exec(text);
    return match ? [Number(match[1])] : [];
  });
}
