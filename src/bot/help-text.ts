import { usageLine, type CommandRegistry } from "./command-registry.ts";
import { roleAllows, type Role } from "./roles.ts";

/** `/help`: every command the role may use, with its usage and summary. */
export function helpText(registry: CommandRegistry, role: Role): string {
  const lines = registry.commands
    .filter((command) => roleAllows(role, command.role))
    .map((command) => {
      const aliases = command.aliases?.length
        ? ` (also ${command.aliases.map((alias) => `/${alias}`).join(", ")})`
        : "";
      return `- \`${usageLine(command)}\`${aliases} — ${command.summary}`;
    });
  const hidden = registry.commands.length - lines.length;
  const footer =
    hidden > 0 ? `\n${hidden} more commands need a role you do not have; /whoami shows your id for the config.` : "";
  return `**planbot commands**\n${lines.join("\n")}\nQuotes group words, --flag value and --flag=value both work, -- ends options.${footer}`;
}
