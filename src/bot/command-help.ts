import { code, escapeMarkup } from "../chat/reply.ts";
import { unknownCommandMessage } from "./command-hints.ts";
import { usageLine, type CommandRegistry } from "./command-registry.ts";
import { roleAllows, type Role } from "./roles.ts";

/**
 * `/help <command>`: one command explained — its usage, what it does, its arguments and options, and
 * whether this user's role may run it. People type `/help run` before they type `/run`.
 */
export function commandHelp(registry: CommandRegistry, role: Role, typed: string): string {
  const name = typed.replace(/^\//, "");
  const command = registry.find(name);
  if (!command) return unknownCommandMessage(escapeMarkup(name), registry);
  const lines = [`${code(usageLine(command))} — ${escapeMarkup(command.summary)}`];
  if (command.aliases?.length)
    lines.push(`Also typed as ${command.aliases.map((alias) => code(`/${alias}`)).join(", ")}.`);
  for (const arg of command.args)
    lines.push(`- ${code(arg.name)}${arg.required ? "" : " (optional)"}: ${escapeMarkup(arg.description)}`);
  for (const flag of command.flags)
    lines.push(
      `- ${code(`--${flag.name}`)}: ${escapeMarkup(flag.description)}${flag.role && flag.role !== command.role ? ` (${flag.role}s)` : ""}`,
    );
  if (!roleAllows(role, command.role))
    lines.push(`It needs the ${command.role} role; ${code("/whoami")} shows your id for the config.`);
  return lines.join("\n");
}
