import type { Context, NextFunction } from "grammy";
import type { Message } from "grammy/types";
import type { Audience } from "../../bot/handled.ts";
import type { Incoming } from "../../chat/incoming.ts";
import { code, parseChoiceLine, type Reply } from "../../chat/reply.ts";
import type { Logger } from "../../log.ts";
import type { AdapterBot } from "../contract.ts";
import type { TurnSignals } from "../../chat/turn-signals.ts";
import type { TypingIndicators } from "../kit/typing.ts";
import type { CallbackCodec } from "./callback-data.ts";
import { withGroupAnswerHint } from "./group-answers.ts";
import { routeMessage, toIncoming, topicOf, typingKey, type BotIdentity } from "./routing.ts";
import type { TelegramSender } from "./sender.ts";

/** What the update handlers need. */
export interface HandlerDeps {
  bot: AdapterBot;
  sender: TelegramSender;
  typing: TypingIndicators;
  codec: CallbackCodec;
  me: BotIdentity;
  log: Logger;
}

/** The adapter's update handlers, as grammY middleware. */
export interface TelegramHandlers {
  /** Answers a button press at once, before the per-chat queue, so a long planner turn cannot time the press out. */
  answerCallback(ctx: Context, next: NextFunction): Promise<void>;
  /** Text messages: handed to the core, which decides what they are. */
  onText(ctx: Context): Promise<void>;
  /** Button presses: run the button's command line as the presser. */
  onCallback(ctx: Context): Promise<void>;
}

const HINT: Reply = {
  text: `Commands start with /. Send ${code("/help")} to see them, or ${code("/plan <slug>")} to start planning here.`,
};

/** Creates the {@link TelegramHandlers}. */
export function createHandlers(deps: HandlerDeps): TelegramHandlers {
  const { bot, sender, typing, codec, me, log } = deps;

  /** Hands one message to the core with "typing…" shown while the planner works, then sends the replies. */
  async function respond(message: Message, incoming: Incoming, audience: Audience, replyTo: number | undefined) {
    const handled = await whileTyping(message, (signals) => bot.handle(incoming, { audience, signals, hint: HINT }));
    if (handled.kind === "ignored") {
      log.trace({ adapter: "telegram", chat: message.chat.id, reason: handled.reason }, "ignored message");
      return;
    }
    const slug = handled.kind === "command" ? handled.slug : undefined;
    // A hint answers in place; it is not a reply to anything in particular.
    const replies = withGroupAnswerHint(message, handled);
    await sendAll(message, replies, handled.kind === "hint" ? undefined : replyTo, slug);
  }

  /** Runs `work` with "typing…" shown in the message's chat (and topic). */
  async function whileTyping<T>(message: Message, work: (signals: TurnSignals) => Promise<T>): Promise<T> {
    const session = typing.session([typingKey(message.chat.id, topicOf(message))]);
    try {
      return await work(session.signals);
    } finally {
      session.done();
    }
  }

  async function sendAll(message: Message, replies: Reply[], replyTo: number | undefined, slug?: string) {
    const threadId = topicOf(message);
    for (const [index, reply] of replies.entries()) {
      // Send failures are logged by the sender; the next reply is still worth trying.
      await sender.send(
        { chatId: message.chat.id, threadId, replyToMessageId: index === 0 ? replyTo : undefined },
        reply,
        { slug },
      );
    }
  }

  /**
   * A press of a choice button: the core claims the choice; the pressed message is then marked with what
   * was chosen and by whom (its keyboard dropped) before the command runs, so nobody presses it again
   * while a long planner turn works. A spent choice only gets its "already chosen" answer.
   */
  async function pressChoice(message: Message, incoming: Incoming, choice: string, label: string) {
    const replyTo = message.chat.type === "private" ? undefined : message.message_id;
    const outcome = await bot.press(incoming, { id: choice, label });
    if (outcome.kind === "spent") {
      await sender.markChosen(message, outcome.chosen);
      return sendAll(message, [outcome.reply], replyTo);
    }
    if (outcome.kind === "refused") return sendAll(message, outcome.replies, replyTo);
    const marked = await sender.markChosen(message, outcome.chosen);
    const replies = await whileTyping(message, (signals) => outcome.run(signals));
    await sendAll(message, marked ? replies : [{ text: outcome.chosen }, ...replies], replyTo);
  }

  return {
    async answerCallback(ctx, next) {
      const query = ctx.callbackQuery;
      if (!query) return next();
      const decoded = codec.decode(query.data ?? "");
      const text =
        decoded.kind === "expired"
          ? `This button expired (planbot restarted since it was sent). Type ${decoded.hint} instead.`
          : undefined;
      try {
        await ctx.answerCallbackQuery(text ? { text: text.slice(0, 200), show_alert: true } : {});
      } catch (error) {
        // Too late to answer (the user waited) is harmless: the command still runs.
        log.debug({ adapter: "telegram", err: error }, "answerCallbackQuery failed");
      }
      if (decoded.kind === "command" && query.message) await next();
    },

    async onText(ctx) {
      const message = ctx.message;
      if (!message?.text || !message.from) return;
      const route = routeMessage(message, me);
      if (route.kind === "ignore") {
        log.trace({ adapter: "telegram", chat: message.chat.id, reason: route.reason }, "ignored message");
        return;
      }
      // In groups the bot's message replies to the user's, so the thread of a conversation stays visible.
      const replyTo = message.chat.type === "private" ? undefined : message.message_id;
      await respond(message, toIncoming(message, message.from, message.text), route.audience, replyTo);
    },

    async onCallback(ctx) {
      const query = ctx.callbackQuery;
      const message = query?.message;
      // An old message Telegram no longer shows (date 0) still names its chat: the command runs there.
      if (!query?.data || !message) return;
      const decoded = codec.decode(query.data);
      if (decoded.kind !== "command") return;
      const line = parseChoiceLine(decoded.command);
      if (!line) return;
      // The presser, not the message's author, runs the command: the core checks their role.
      const incoming = toIncoming(message as Message, query.from, line.command, false);
      if (line.choice)
        return pressChoice(message as Message, incoming, line.choice, buttonLabel(message as Message, query.data));
      const replyTo = message.chat.type === "private" ? undefined : message.message_id;
      await respond(message as Message, incoming, "direct", replyTo);
    },
  };
}

/** The text of the pressed button, found by its data on the message; "the button" when the message no longer shows it. */
function buttonLabel(message: Message, data: string): string {
  const rows = message.reply_markup?.inline_keyboard ?? [];
  for (const button of rows.flat()) if ("callback_data" in button && button.callback_data === data) return button.text;
  return "the button";
}
