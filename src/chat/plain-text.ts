import { KEEP_TALKING_COMMAND, type Reply } from "./reply.ts";

/**
 * The reply markup as plain terminal text: bold and link syntax dropped, escapes resolved, code
 * blocks kept with their fences so they stand out, and buttons listed as the commands they run.
 */
export function renderPlainText(reply: Reply): string {
  const text = reply.text
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, "$1 <$2>")
    .replace(/\\([\\`*_[\]~|>])/g, "$1");
  // In a terminal "keep talking" is simply typing on, so that button is not listed as a command to type.
  const actions = (reply.actions ?? [])
    .filter((action) => action.command !== KEEP_TALKING_COMMAND)
    .map((action) => `  [${action.label}] ${action.command}`);
  // A terminal shows where the file is rather than pouring a whole document into the chat.
  const file = reply.attachment
    ? [`  (${reply.attachment.name}${reply.attachment.path ? `: ${reply.attachment.path}` : " attached"})`]
    : [];
  const lines = [...file, ...actions];
  return lines.length ? `${text}\n${lines.join("\n")}` : text;
}
