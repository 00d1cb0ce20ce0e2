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
}

/** A button: a label and the command line it runs when pressed. */
export interface ReplyAction {
  label: string;
  command: string;
  style?: "primary" | "secondary" | "success" | "danger";
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
