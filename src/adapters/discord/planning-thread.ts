import { ChannelType, ThreadAutoArchiveDuration, type ThreadChannel } from "discord.js";
import type { ParseOutcome } from "../../bot/parse-command.ts";
import { errorReply, type Reply } from "../../chat/reply.ts";
import { missingRole } from "../../bot/authorize.ts";
import { ADAPTER, type DiscordContext } from "./context.ts";
import { describeError } from "./errors.ts";

/** Commands that start a planning session: in a guild text channel they get a thread of their own. */
const SESSION_STARTERS = new Set(["plan", "replan"]);
const THREAD_NAME_LIMIT = 100;

/** Where a session-starting command runs: a fresh thread, nowhere (with a reason), or where it was sent. */
export type ThreadPlacement = { kind: "thread"; thread: ThreadChannel } | { kind: "refused"; reply: Reply } | { kind: "here" };

/** The thread name for a project, e.g. "plan: my-app". */
export function threadName(slug: string): string {
  const name = `plan: ${slug}`;
  return name.length <= THREAD_NAME_LIMIT ? name : `${name.slice(0, THREAD_NAME_LIMIT - 1)}…`;
}

/**
 * Opens a planning thread for `/plan` or `/replan` sent in a guild text channel, so the session is keyed
 * to the thread and "every message in the thread is an answer" never swallows the channel's chatter.
 * Threads, DMs and commands that will not run (parse errors, missing role) stay where they are, so a
 * refusal does not leave an empty thread behind; the core gives the actual answer either way.
 */
export async function placeSessionStart(ctx: DiscordContext, parsed: ParseOutcome, channelId: string, userId: string): Promise<ThreadPlacement> {
  if (parsed.kind !== "command" || !SESSION_STARTERS.has(parsed.command.name)) return { kind: "here" };
  // A command the core will refuse needs no thread; the core gives the refusal where it was typed.
  if (missingRole(ctx.roles.roleOf(ADAPTER, userId), parsed.command, parsed.flags)) return { kind: "here" };
  const channel = ctx.client.channels.cache.get(channelId) ?? (await ctx.client.channels.fetch(channelId).catch(() => null));
  if (!channel || (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement)) return { kind: "here" };
  const slug = parsed.args.slug ?? "project";
  try {
    const options = { name: threadName(slug), autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek, reason: `planbot: planning ${slug}` };
    const thread = channel.type === ChannelType.GuildText ? await channel.threads.create(options) : await channel.threads.create(options);
    return { kind: "thread", thread };
  } catch (error) {
    ctx.log.warn({ err: error, adapter: ADAPTER, channel: channelId, slug, command: parsed.command.name }, "could not open a planning thread");
    return {
      kind: "refused",
      reply: errorReply(
        `planbot could not open a planning thread for ${slug} here: ${describeError(error)}. Give planbot the Create Public Threads and Send Messages in Threads permissions in this channel, or run the command inside an existing thread or a DM.`,
      ),
    };
  }
}

/**
 * Removes a thread whose command failed before a session existed (unknown project, already committed…).
 * Deleting needs Manage Threads; without it the thread is archived and locked instead, which hides it.
 */
export async function discardThread(ctx: DiscordContext, thread: ThreadChannel): Promise<void> {
  try {
    await thread.delete("planbot: the planning command failed");
    return;
  } catch (error) {
    ctx.log.debug({ err: error, channel: thread.id }, "could not delete the unused planning thread; archiving it");
  }
  try {
    await thread.edit({ archived: true, locked: true, reason: "planbot: the planning command failed" });
  } catch (error) {
    ctx.log.warn({ err: error, adapter: ADAPTER, channel: thread.id }, "could not archive the unused planning thread");
  }
}
