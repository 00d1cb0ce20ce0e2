import type { Message } from "discord.js";
import type { CommandRegistry } from "../../bot/command-registry.ts";
import type { Audience } from "../../bot/handled.ts";
import type { Reply } from "../../chat/reply.ts";
import { ADAPTER, type DiscordContext } from "./context.ts";
import { describeError } from "./errors.ts";
import { renderReplies, type DiscordPayload } from "./render.ts";
import { runLine, type LineOutcome } from "./line-runner.ts";
import { sendPayloads } from "./send.ts";

/** The head of a typed command (`/name` or `/name@bot`). */
const COMMAND_HEAD = /^\/([A-Za-z0-9_-]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)/;

/** A message as the core should see it: the text (a leading mention of the bot stripped) and its audience. */
export interface MessageIntent {
  text: string;
  audience: Audience;
}

/**
 * Translates a message's content. A leading mention of the bot addresses it (`direct`): what follows is
 * a command with or without its slash (`@planbot /p …`, `@planbot p …`) or words for the planner. Only
 * a leading `<@id>` counts, so a reply to one of the bot's messages (which Discord also reports as a
 * mention) stays an ordinary line. DMs are `direct`; channels and threads are `shared`.
 */
export function classifyMessage(
  content: string,
  botUserId: string,
  registry: CommandRegistry,
  inDm = false,
): MessageIntent {
  const text = content.trim();
  const mention = new RegExp(`^<@!?${botUserId}>\\s*`).exec(text);
  if (mention) {
    const rest = text.slice(mention[0].length).trim();
    if (!rest) return { text: "/help", audience: "direct" };
    const head = COMMAND_HEAD.exec(`/${rest}`);
    if (rest.startsWith("/") || (head && registry.find(head[1]!)))
      return { text: rest.startsWith("/") ? rest : `/${rest}`, audience: "direct" };
    return { text: rest, audience: "direct" };
  }
  return { text, audience: inDm ? "direct" : "shared" };
}

const HINT: Reply = {
  text: "Commands start with /, e.g. `/help`. `/plan <slug>` starts planning a project in a thread of its own.",
};

/**
 * Handles a message: the core decides whether it is a command (replies as message replies), a planner
 * answer, a hint or nothing. Everything in a channel runs in arrival order. Never throws.
 */
export async function handleMessage(ctx: DiscordContext, message: Message): Promise<void> {
  // Discord echoes the bot's own messages on the gateway; other bots and system notices are not for us.
  if (message.author.bot || message.author.id === ctx.client.user.id || message.system || message.webhookId) return;
  const intent = classifyMessage(
    message.content,
    ctx.client.user.id,
    ctx.host.bot.registry,
    message.channel.isDMBased(),
  );
  if (!intent.text) return;
  const channelId = message.channelId;
  const deliver = (outcome: LineOutcome) => deliverToMessage(ctx, message, outcome);
  const run = {
    user: message.author,
    channelId,
    text: intent.text,
    audience: intent.audience,
    replyTo: message.id,
    hint: HINT,
  };
  const entered = ctx.lanes.enter(channelId, intent.text);
  try {
    return await runLine(ctx, run, deliver, { queue: true, lane: entered.lane, alsoTypingIn: [channelId] });
  } finally {
    entered.leave();
  }
}

/** Replies to a message; for a new planning thread, the replies go into the thread and the message gets a pointer. */
async function deliverToMessage(ctx: DiscordContext, message: Message, outcome: LineOutcome): Promise<void> {
  const payloads = renderReplies(outcome.replies);
  if (outcome.thread) {
    const inThread = await sendPayloads(outcome.thread, payloads);
    if (!inThread.error) {
      const pointer: DiscordPayload = {
        content: `Planning **${outcome.slug ?? "the project"}** in <#${outcome.thread.id}>: answer the planner there.`,
        components: [],
        ephemeral: false,
      };
      return reply(ctx, message, [pointer], outcome);
    }
    ctx.log.error(
      {
        err: inThread.error,
        adapter: ADAPTER,
        command: outcome.command,
        slug: outcome.slug,
        channel: outcome.thread.id,
      },
      "could not post the planner's reply in the planning thread",
    );
  }
  return reply(ctx, message, payloads, outcome);
}

async function reply(
  ctx: DiscordContext,
  message: Message,
  payloads: DiscordPayload[],
  outcome: LineOutcome,
): Promise<void> {
  if (payloads.length === 0 || !message.channel.isSendable()) return;
  const sent = await sendPayloads(message.channel, payloads, message);
  if (!sent.error) return;
  ctx.log.error(
    {
      err: sent.error,
      adapter: ADAPTER,
      command: outcome.command,
      slug: outcome.slug,
      channel: message.channelId,
      delivered: sent.messageIds.length,
    },
    "could not reply to a message",
  );
  try {
    await message.channel.send({
      content: `planbot could not deliver its whole answer here: ${describeError(sent.error)}. It is logged; try again, or /status to see where things stand.`,
    });
  } catch (error) {
    ctx.log.error(
      { err: error, adapter: ADAPTER, command: outcome.command, slug: outcome.slug, channel: message.channelId },
      "could not tell the user that the reply failed",
    );
  }
}
