import type { Message } from "discord.js";
import type { CommandRegistry } from "../../bot/command-registry.ts";
import type { Reply } from "../../chat/reply.ts";
import { runCommand, type CommandOutcome } from "./command-runner.ts";
import { ADAPTER, incomingFrom, type DiscordContext } from "./context.ts";
import { describeError } from "./errors.ts";
import { renderReplies, type DiscordPayload } from "./render.ts";
import { sendPayloads } from "./send.ts";

/** The head of a typed command, as the core's parser reads it (`/name` or `/name@bot`). */
const COMMAND_HEAD = /^\/([A-Za-z0-9_-]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)/;

/** What a message is for planbot, decided without any I/O so arrival order is kept. */
export type MessageIntent =
  /** A command line for the core (`/p …`, or `@planbot p …` with the mention stripped). */
  | { kind: "command"; line: string }
  /** `/word` that planbot does not know: another bot's, or a typo in a planning chat. */
  | { kind: "unknown-command"; line: string }
  /** The bot was mentioned with plain words: an answer in a planning chat, else a hint. */
  | { kind: "addressed"; text: string }
  /** Plain chat: an answer in a planning chat, else ignored. */
  | { kind: "chat"; text: string };

/**
 * Classifies a message's content. A leading mention of the bot addresses it: what follows is a command
 * with or without its slash (`@planbot /p …`, `@planbot p …`). Only a leading `<@id>` counts, so a reply
 * to one of the bot's messages (which Discord also reports as a mention) stays an ordinary answer.
 */
export function classifyMessage(content: string, botUserId: string, registry: CommandRegistry): MessageIntent {
  const text = content.trim();
  const mention = new RegExp(`^<@!?${botUserId}>\\s*`).exec(text);
  if (mention) {
    const rest = text.slice(mention[0].length).trim();
    if (!rest) return { kind: "command", line: "/help" };
    const line = rest.startsWith("/") ? rest : `/${rest}`;
    const head = COMMAND_HEAD.exec(line);
    if (rest.startsWith("/") || (head && registry.find(head[1]!))) return { kind: "command", line };
    return { kind: "addressed", text: rest };
  }
  const head = COMMAND_HEAD.exec(text);
  if (head) return registry.find(head[1]!) ? { kind: "command", line: text } : { kind: "unknown-command", line: text };
  return { kind: "chat", text };
}

const HINT: Reply = { text: "Commands start with /, e.g. `/help`. `/plan <slug>` starts planning a project in a thread of its own." };

/**
 * Handles a message: commands through the core's parser (replies as message replies); plain messages in a
 * chat with a planning session are answers to the planner. Everything in a channel runs in arrival order.
 * Never throws.
 */
export async function handleMessage(ctx: DiscordContext, message: Message): Promise<void> {
  // Discord echoes the bot's own messages on the gateway; other bots and system notices are not for us.
  if (message.author.bot || message.author.id === ctx.client.user.id || message.system || message.webhookId) return;
  const intent = classifyMessage(message.content, ctx.client.user.id, ctx.runtime.bot.registry);
  const channelId = message.channelId;
  const deliver = (outcome: CommandOutcome) => deliverToMessage(ctx, message, outcome);

  if (intent.kind === "command") {
    return runCommand(ctx, { user: message.author, channelId, text: intent.line, replyTo: message.id }, deliver, { queue: true, alsoTypingIn: [channelId] });
  }
  const text = intent.kind === "unknown-command" ? intent.line : intent.text;
  if (!text) return;
  await ctx.queues.run(channelId, async () => {
    if (!(await ctx.runtime.bot.hasSession({ adapter: ADAPTER, channelId }))) {
      if (intent.kind === "addressed") await deliver({ replies: [HINT] });
      return;
    }
    const typing = ctx.typing.session([channelId]);
    try {
      const incoming = incomingFrom(message.author, channelId, text, message.reference?.messageId);
      // A typo'd /command in a planning chat gets the core's "unknown command" help rather than reaching the planner.
      const replies = intent.kind === "unknown-command" ? await ctx.runtime.bot.handleCommand(incoming, typing.signals) : await ctx.runtime.bot.handleAnswer(incoming, typing.signals);
      typing.done();
      await deliver({ replies, command: intent.kind === "unknown-command" ? undefined : "answer" });
    } finally {
      typing.done();
    }
  });
}

/** Replies to a message; for a new planning thread, the replies go into the thread and the message gets a pointer. */
async function deliverToMessage(ctx: DiscordContext, message: Message, outcome: CommandOutcome): Promise<void> {
  const payloads = renderReplies(outcome.replies);
  if (outcome.thread) {
    const inThread = await sendPayloads(outcome.thread, payloads);
    if (!inThread.error) {
      const pointer: DiscordPayload = { content: `Planning **${outcome.slug ?? "the project"}** in <#${outcome.thread.id}>: answer the planner there.`, components: [], ephemeral: false };
      return reply(ctx, message, [pointer], outcome);
    }
    ctx.log.error({ err: inThread.error, adapter: ADAPTER, command: outcome.command, slug: outcome.slug, channel: outcome.thread.id }, "could not post the planner's reply in the planning thread");
  }
  return reply(ctx, message, payloads, outcome);
}

async function reply(ctx: DiscordContext, message: Message, payloads: DiscordPayload[], outcome: CommandOutcome): Promise<void> {
  if (payloads.length === 0 || !message.channel.isSendable()) return;
  const sent = await sendPayloads(message.channel, payloads, message);
  if (!sent.error) return;
  ctx.log.error({ err: sent.error, adapter: ADAPTER, command: outcome.command, slug: outcome.slug, channel: message.channelId, delivered: sent.messageIds.length }, "could not reply to a message");
  try {
    await message.channel.send({ content: `planbot could not deliver its whole answer here: ${describeError(sent.error)}. It is logged; try again, or /status to see where things stand.` });
  } catch (error) {
    ctx.log.error({ err: error, adapter: ADAPTER, command: outcome.command, slug: outcome.slug, channel: message.channelId }, "could not tell the user that the reply failed");
  }
}
