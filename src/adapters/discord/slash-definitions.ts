import type { CommandRegistry, CommandSpec } from "../../bot/command-registry.ts";

/** Discord's application-command option types used here. */
const DISCORD_STRING = 3;
const DISCORD_BOOLEAN = 5;

/** A Discord slash-command definition (the REST JSON body), built without importing discord.js. */
export interface SlashCommandDefinition {
  name: string;
  description: string;
  type: 1;
  options: { type: number; name: string; description: string; required: boolean; autocomplete?: boolean }[];
}

/**
 * One slash-command definition per command, under its primary name. Discord has no aliases of its own:
 * registering each alias as a command listed `/p` and `/propose` (and `/help` and `/start`) twice in the
 * menu. Aliases keep working as typed text, and the description names them.
 */
export function discordSlashDefinitions(registry: CommandRegistry): SlashCommandDefinition[] {
  return registry.commands.map(slashDefinition);
}

function slashDefinition(command: CommandSpec): SlashCommandDefinition {
  const args = command.args.map((arg) => ({
    type: DISCORD_STRING,
    name: arg.name,
    description: clip(arg.description, 100),
    required: arg.required,
    ...(arg.kind === "slug" ? { autocomplete: true } : {}),
  }));
  const flags = command.flags.map((flag) => ({
    type: flag.type === "boolean" ? DISCORD_BOOLEAN : DISCORD_STRING,
    name: flag.name,
    description: clip(flag.description, 100),
    required: false,
  }));
  // Discord requires required options before optional ones.
  const options = [...args, ...flags].sort((a, b) => Number(b.required) - Number(a.required));
  const aliases = (command.aliases ?? []).map((alias) => `/${alias}`).join(", ");
  const description = aliases ? `${command.summary} (also typed as ${aliases})` : command.summary;
  return { name: command.name, description: clip(description, 100), type: 1, options };
}

/**
 * Rebuilds a command line from structured options (a Discord slash command), so slash commands go
 * through the same parser, validation and roles as typed text.
 */
export function commandLineFromOptions(
  command: CommandSpec,
  options: Record<string, string | number | boolean | undefined>,
): string {
  const quote = (value: string) => `"${value.replace(/(["\\])/g, "\\$1")}"`;
  const parts = [`/${command.name}`];
  const flagParts: string[] = [];
  for (const flag of command.flags) {
    const value = options[flag.name];
    if (value === undefined) continue;
    if (flag.type === "boolean") flagParts.push(`--${flag.name}=${value ? "true" : "false"}`);
    else flagParts.push(`--${flag.name}=${quote(String(value))}`);
  }
  parts.push(...flagParts, "--");
  for (const arg of command.args) {
    const value = options[arg.name];
    if (value === undefined) break;
    parts.push(quote(String(value)));
  }
  return parts.join(" ");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
