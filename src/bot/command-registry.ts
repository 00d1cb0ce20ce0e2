import type { CommandRegistry, CommandSpec } from "./command-context.ts";

export type { ArgumentSpec, CommandRegistry, CommandSpec, FlagSpec } from "./command-context.ts";

/** Builds a registry; duplicate names or aliases are programming errors and throw at start. */
export function createCommandRegistry(commands: CommandSpec[]): CommandRegistry {
  const byName = new Map<string, CommandSpec>();
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`command name /${name} is declared twice`);
      byName.set(name, command);
    }
    const restIndex = command.args.findIndex((arg) => arg.rest);
    if (restIndex !== -1 && restIndex !== command.args.length - 1)
      throw new Error(`/${command.name}: only the last argument may take the rest of the line`);
  }
  return { commands, find: (name) => byName.get(name.toLowerCase()) };
}

/** The usage line of a command, e.g. `/p <slug> <description…> [--repo R] [--branch B] [--base M]`. */
export function usageLine(command: CommandSpec): string {
  const args = command.args.map((arg) => {
    const label = arg.rest ? `${arg.name}…` : arg.name;
    return arg.required ? `<${label}>` : `[${label}]`;
  });
  const flags = command.flags.map((flag) =>
    flag.type === "boolean" ? `[--${flag.name}]` : `[--${flag.name} ${flag.placeholder ?? flag.name.toUpperCase()}]`,
  );
  return [`/${command.name}`, ...args, ...flags].join(" ");
}
