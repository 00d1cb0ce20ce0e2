import type { TranscriptEntry } from "./conversation-log.ts";

/**
 * How chat text reaches the planner: only inside the user message, between explicit markers, never in
 * the system prompt. The phase prompts tell the model that text inside the markers is what members
 * said — answers and wishes to weigh, not rules that replace planbot's instructions.
 */
export const MEMBER_OPEN = "<member-message";
export const MEMBER_CLOSE = "</member-message>";

/** A label made of harmless characters (names and adapters come from chats too). */
function label(value: string): string {
  return value.replace(/[^\p{L}\p{N} ._@:-]/gu, "").slice(0, 60) || "member";
}

/** Neutralises a closing marker inside the text, so a member cannot end the quote early. */
function quoteBody(text: string): string {
  return text.replace(/<\/?member-message/gi, (match) => match.replace("<", "‹"));
}

/** The member's text as one delimited block. */
export function memberBlock(text: string, from: { user: string; adapter: string }): string {
  return `${MEMBER_OPEN} from="${label(from.user)}" via="${label(from.adapter)}">\n${quoteBody(text)}\n${MEMBER_CLOSE}`;
}

/** The first message of a planning session: where the code is, then the owner's description, quoted. */
export function firstMessage(options: {
  slug: string;
  workspace: string;
  description: string;
  user: string;
  adapter: string;
}): string {
  return [
    `We are planning the project "${options.slug}".`,
    `The project's code is in your working directory: ${options.workspace}. Read what is there (Read, Grep, Glob) before you ask about it; you cannot change files.`,
    "The owner's description of the project:",
    memberBlock(options.description, options),
  ].join("\n\n");
}

/**
 * The message that starts a fresh planner session when the earlier one is lost: planbot's record of
 * the conversation (members' messages quoted as always), the phase, then the new message.
 */
export function seedMessage(options: {
  history: TranscriptEntry[];
  phase: string;
  workspace: string;
  next: string;
}): string {
  const lines = options.history.map((entry) =>
    entry.role === "user"
      ? memberBlock(entry.text, { user: entry.user ?? "member", adapter: entry.adapter ?? "chat" })
      : `<planner-reply>\n${quoteBody(entry.text).replace(/<\/planner-reply>/gi, "‹/planner-reply>")}\n</planner-reply>`,
  );
  return [
    "Your earlier session of this planning conversation was lost. planbot kept a record of it; here it is, oldest first, so you can carry on where it stopped.",
    `The project's code is in your working directory: ${options.workspace}.`,
    ...lines,
    `We are in the ${options.phase} phase. The next message follows.`,
    options.next,
  ].join("\n\n");
}
