import { ChannelType, ThreadAutoArchiveDuration, type ThreadChannel } from "discord.js";
import { errorReply, type Reply } from "../../chat/reply.ts";
import { ADAPTER, type DiscordContext } from "./context.ts";
import { describeError } from "./errors.ts";

const THREAD_NAME_LIMIT = 100;

/** Where a session-starting command runs: a fresh thread, nowhere (with a reason), or where it was sent. */
export type ThreadPlacement =
  | { kind: "thread"; thread: ThreadChannel }
  | { kind: "refused"; reply: Reply }
  | { kind: "here" };

/** The thread name for a project, e.g. "plan: my-app". */
export function threadName(slug: string): string {
  const name = `plan: ${slug}`;
  return name.length <= THREAD_NAME_LIMIT ? name : `${name.slice(0, THREAD_NAME_LIMIT - 1)}…`;
}

/**
 * The placement hook for a session-starting command (`/plan`, `/replan`), which the core calls only after
 * the command parsed and its user may run it: in a guild text channel a planning thread opens, so the
 * session is keyed to the thread and "every message in the thread is an answer" never swallows the
 * channel's chatter. Threads and DMs stay where they are.
 */
export async function placeSessionStart(
  ctx: DiscordContext,
  slugArg: string | undefined,
  commandName: string,
  channelId: string,
): Promise<ThreadPlacement> {
  const channel =
    ctx.client.channels.cache.get(channelId) ?? (await ctx.client.channels.fetch(channelId).catch(() => null));
  if (!channel || (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement))
    return { kind: "here" };
  const slug = slugArg ?? "project";
  try {
    const options = {
      name: threadName(slug),
      autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
      reason: `planbot: planning ${slug}`,
    };
    const thread =
      channel.type === ChannelType.GuildText
        ? await channel.threads.create(options)
        : await channel.threads.create(options);
    return { kind: "thread", thread };
  } catch (error) {
    ctx.log.warn(
      { err: error, adapter: ADAPTER, channel: channelId, slug, command: commandName },
      "could not open a planning thread",
    );
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
