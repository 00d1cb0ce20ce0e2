import type { Message } from "grammy/types";
import type { Handled } from "../../bot/handled.ts";
import type { Reply } from "../../chat/reply.ts";
import { topicOf } from "./routing.ts";

/** The commands after which a chat follows a planning session and people start answering the planner. */
const JOINS_SESSION = new Set(["plan", "replan", "continue"]);

/**
 * In a group outside forum topics only replies to the bot are answers (other talk is chatter, and with
 * privacy mode on Telegram does not even show it to the bot), so there "answer the planner here" is true
 * only for replies. A newcomer who just types gets no answer at all; the reply that starts or joins a
 * session says how to answer instead.
 */
export const GROUP_ANSWER_HINT =
  "In this group, answer the planner by replying to its messages; other messages here do not reach it.";

/** The replies, with {@link GROUP_ANSWER_HINT} added to the first when it starts or joins a session in a plain group. */
export function withGroupAnswerHint(message: Message, handled: Exclude<Handled, { kind: "ignored" }>): Reply[] {
  if (handled.kind !== "command" || !JOINS_SESSION.has(handled.command ?? "")) return handled.replies;
  if (message.chat.type === "private" || message.chat.type === "channel" || topicOf(message) !== undefined)
    return handled.replies;
  const [first, ...rest] = handled.replies;
  if (!first || first.tone === "error") return handled.replies;
  return [{ ...first, text: `${first.text}\n\n${GROUP_ANSWER_HINT}` }, ...rest];
}
