import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
} from "discord.js";
import { renderDiscordReply } from "./discord-markdown.ts";
import { choiceLine, code, type Reply, type ReplyAction } from "../../chat/reply.ts";

/** Discord's limits on components (custom_id length, label length, buttons per row, rows per message). */
export const CUSTOM_ID_LIMIT = 100;
const LABEL_LIMIT = 80;
const BUTTONS_PER_ROW = 5;
const ROWS_PER_MESSAGE = 5;

/** An action row of buttons as Discord's JSON (no builders: the payload is plain data, easy to test). */
export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** One Discord message to send: a chunk of a reply, buttons on the last chunk, and whether only the asker sees it. */
export interface DiscordPayload {
  content: string;
  components: ButtonRow[];
  ephemeral: boolean;
  /** Files attached to this message (the final plan), on the last chunk of a reply. */
  files?: { name: string; content: string }[];
}

const STYLES: Record<
  NonNullable<ReplyAction["style"]>,
  ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger
> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
};

/**
 * Turns a neutral reply into Discord messages. A button's custom_id is its command line, so a click runs
 * through the same parser and role checks as typed text; a command too long for a custom_id (or beyond
 * 25 buttons, or a duplicate) is written into the text instead, so it is never lost. Errors are ephemeral.
 */
export function renderReply(reply: Reply): DiscordPayload[] {
  const buttons: APIButtonComponentWithCustomId[] = [];
  const asText: string[] = [];
  const seen = new Set<string>();
  for (const action of reply.actions ?? []) {
    if (seen.has(action.command)) continue; // Discord rejects duplicate custom_ids in one message.
    seen.add(action.command);
    // Buttons of a choice carry its id, so a press can be recognised as spent (src/bot/choice-press.ts).
    const customId = choiceLine(reply.choice, action.command);
    if (customId.length > CUSTOM_ID_LIMIT || buttons.length >= BUTTONS_PER_ROW * ROWS_PER_MESSAGE) {
      asText.push(`${action.label}: ${code(action.command)}`);
      continue;
    }
    buttons.push({
      type: ComponentType.Button,
      style: STYLES[action.style ?? "secondary"],
      label: clipLabel(action.label),
      custom_id: customId,
    });
  }
  const text = asText.length ? `${reply.text}\n${asText.join("\n")}` : reply.text;
  const chunks = renderDiscordReply({ ...reply, text });
  const rows: ButtonRow[] = [];
  for (let index = 0; index < buttons.length; index += BUTTONS_PER_ROW) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(index, index + BUTTONS_PER_ROW) });
  }
  const ephemeral = reply.ephemeral === true || reply.tone === "error";
  const files = reply.attachment ? [{ name: reply.attachment.name, content: reply.attachment.content }] : undefined;
  if (chunks.length === 0)
    return rows.length || files ? [{ content: "", components: rows, ephemeral, ...(files ? { files } : {}) }] : [];
  return chunks.map((content, index) => {
    const last = index === chunks.length - 1;
    return { content, components: last ? rows : [], ephemeral, ...(last && files ? { files } : {}) };
  });
}

/** {@link renderReply} for several replies, in order. */
export function renderReplies(replies: Reply[]): DiscordPayload[] {
  return replies.flatMap(renderReply);
}

function clipLabel(label: string): string {
  const trimmed = label.trim() || "…";
  return trimmed.length <= LABEL_LIMIT ? trimmed : `${trimmed.slice(0, LABEL_LIMIT - 1)}…`;
}
