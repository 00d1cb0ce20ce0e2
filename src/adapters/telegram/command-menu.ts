import type { CommandRegistry } from "../../bot/command-registry.ts";

/** Telegram's command menu (`setMyCommands`): primary names only, to keep the menu short. */
export function telegramMenu(registry: CommandRegistry): { command: string; description: string }[] {
  return registry.commands.map((command) => ({ command: command.name, description: clip(command.summary, 256) }));
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
