import type { Context } from "grammy";
import { code, type Reply } from "../../chat/reply.ts";
import type { Logger } from "../../log.ts";
import type { AdapterBot } from "../contract.ts";
import { isReplyToBot, routeMessage, topicOf, type BotIdentity } from "./routing.ts";
import type { TelegramSender } from "./sender.ts";

/**
 * Telegram lets people edit a sent message, and a newcomer fixes a mistyped `/stauts` that way. planbot
 * acts on each message once, as sent (an edited answer would reach the planner twice, an edited `/cancel`
 * would run again), so an edit is never run; but it is answered, instead of being a silent no-op.
 */
const EDIT_NOT_READ: Reply = {
  text: `planbot does not act on edited messages: send the corrected line as a new message (${code("/help")} lists the commands).`,
};

/** What the `edited_message` handler needs. */
export interface EditDeps {
  bot: Pick<AdapterBot, "commandFor">;
  sender: TelegramSender;
  me: BotIdentity;
  log: Logger;
}

/**
 * Answers an edit that was meant for planbot: any edit in a private chat, and in groups an edit that now
 * reads as one of planbot's commands or replies to planbot. Other group talk is edited freely.
 */
export function createEditHandler(deps: EditDeps): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    const message = ctx.editedMessage;
    if (!message?.text || !message.from) return;
    const route = routeMessage(message, deps.me);
    if (route.kind === "ignore") return;
    const forUs =
      message.chat.type === "private" ||
      deps.bot.commandFor(message.text) !== undefined ||
      isReplyToBot(message, deps.me.id);
    if (!forUs) return;
    deps.log.debug({ adapter: "telegram", chat: message.chat.id }, "edited message answered, not run");
    await deps.sender.send(
      { chatId: message.chat.id, threadId: topicOf(message), replyToMessageId: message.message_id },
      EDIT_NOT_READ,
    );
  };
}
