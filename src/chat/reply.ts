import { createHash, randomBytes } from "node:crypto";

/**
 * The neutral reply every handler returns. Text uses a small markup — `**bold**`, `` `code` ``,
 * fenced code blocks, `[label](url)`, `- ` list items and backslash escapes — that each adapter's
 * renderer turns into its platform's format. Handlers never format for a platform.
 */
export interface Reply {
  text: string;
  /** Buttons; each runs a command line through the same parser and role checks as typed text. */
  actions?: ReplyAction[];
  /** Only the asker should see it (errors), where the platform can do that. */
  ephemeral?: boolean;
  tone?: "info" | "success" | "error" | "planner";
  /**
   * Makes the buttons one choice, spent by the first press: every copy of this reply (other chats, a
   * restart) shares the id, and a second press answers "already chosen" instead of acting again.
   */
  choice?: string;
  /** A file sent with the reply (the final plan as a document); adapters that cannot send files link or name it. */
  attachment?: ReplyAttachment;
  /**
   * The same message for planbot's server operator, when `text` is worded for chat members: a problem only
   * the operator can fix ("tell planbot's admin") gets the operator's own advice instead, and a file that
   * `text` names inside a project's workspace (a planner reply shared by every chat of a session) its
   * absolute path. The bot answers the operator's own lines with it, and the outbound router sends it in
   * place of `text` to an Outbound the operator reads (`Outbound.operator`, the terminal).
   */
  operatorText?: string;
}

/**
 * The reply as planbot's server operator reads it (the terminal): its `operatorText` in place of `text`
 * where it has one. Both the bot's replies to the operator's own lines and the outbound router's copies
 * for an operator's Outbound go through it.
 */
export function operatorView(reply: Reply): Reply {
  return reply.operatorText ? { ...reply, text: reply.operatorText } : reply;
}

/** A text file attached to a reply. */
export interface ReplyAttachment {
  /** The file name shown to the user, e.g. `final-plan.md`. */
  name: string;
  content: string;
  /** Where it lives on planbot's machine, for the terminal (which prints the path instead of the content). */
  path?: string;
  /** The project it belongs to: the dashboard links the project's plan page instead of sending a file. */
  slug?: string;
}

/** A button: a label and the command line it runs when pressed. */
export interface ReplyAction {
  label: string;
  command: string;
  style?: "primary" | "secondary" | "success" | "danger";
}

/** A choice id derived from what the choice is about, so every copy of the same moment shares it. */
export function choiceIdFor(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, CHOICE_ID_LENGTH);
}

/** A fresh choice id, for a moment that happens once (a planner reply). */
export function newChoiceId(): string {
  return randomBytes(8).toString("base64url").slice(0, CHOICE_ID_LENGTH);
}

/**
 * The *Keep talking* button of a ready planning phase: it only spends its choice (the person goes on
 * answering the planner), so it runs no command and is never typed.
 */
export const KEEP_TALKING_COMMAND = "/keep-talking";

/** Choice ids are this many base64url characters (60 bits): short enough for Telegram's 64-byte button data. */
const CHOICE_ID_LENGTH = 10;
const CHOICE_MARK = "!";
const CHOICE_LINE = /^!([A-Za-z0-9_-]{1,32})(\/.*)$/s;

/**
 * What a button of a choice carries on the platform: `!<choice id>/command …`. A plain command line starts
 * with `/`, so the two never collide, and a button without a choice stays the command line it always was.
 */
export function choiceLine(choice: string | undefined, command: string): string {
  return choice ? `${CHOICE_MARK}${choice}${command}` : command;
}

/** Reads a button's line back: the command and, for a choice button, its choice id. */
export function parseChoiceLine(line: string): { command: string; choice?: string } | undefined {
  if (line.startsWith("/")) return { command: line };
  const match = CHOICE_LINE.exec(line);
  return match ? { command: match[2]!, choice: match[1]! } : undefined;
}

/** Characters with a meaning in the markup; user text is escaped so it prints as written. */
const MARKUP_CHARACTERS = /[\\`*_[\]~|>]/g;

/** Escapes user-provided text so the markup shows it literally. */
export function escapeMarkup(text: string): string {
  return text.replace(MARKUP_CHARACTERS, (match) => `\\${match}`);
}

/** Bold user text. */
export function bold(text: string): string {
  return `**${escapeMarkup(text)}**`;
}

/** Inline code; backticks inside are replaced because inline code cannot escape them. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "ʼ")}\``;
}

/** A fenced code block. */
export function codeBlock(text: string, language = ""): string {
  return `\`\`\`${language}\n${text.replace(/```/g, "ʼʼʼ")}\n\`\`\``;
}

/** A bullet list, one item a line. */
export function list(items: string[]): string {
  return items.map((item) => `- ${item}`).join("\n");
}

/** A reply with the given tone. */
export function reply(text: string, extra: Omit<Reply, "text"> = {}): Reply {
  return { text, ...extra };
}

/** An error reply: ephemeral where possible, so a mistake does not clutter the channel. */
export function errorReply(text: string, actions?: ReplyAction[]): Reply {
  return { text, tone: "error", ephemeral: true, ...(actions ? { actions } : {}) };
}
