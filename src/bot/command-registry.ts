import type { Reply } from "../chat/reply.ts";
import type { RequiredRole } from "./roles.ts";
import type { CommandContext } from "./command-context.ts";

/** A positional argument of a command. */
export interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
  /** Takes every remaining word (free text such as a description). Only the last argument may. */
  rest?: boolean;
  /** Slug arguments autocomplete from the store where the platform can. */
  kind?: "slug" | "text";
}

/** A `--flag`. */
export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  description: string;
  /** A flag can need more than its command (`/replan --force` is for admins). */
  role?: RequiredRole;
  /** Placeholder shown in the usage line. */
  placeholder?: string;
}

/** One chat command, declared once: parsing, help, slash commands and menus all come from this. */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  summary: string;
  args: ArgumentSpec[];
  flags: FlagSpec[];
  role: RequiredRole;
  /** Planner turns and Ralph runs take long: adapters defer their answer and show a working signal. */
  slow?: boolean;
  /**
   * Starts a planning session in the chat: after parsing and authorising, the core asks the adapter where
   * the session should live (Discord opens a thread of its own for it; see `PlacementHook` in bot.ts).
   */
  opensSession?: boolean;
  handler: (context: CommandContext) => Promise<Reply | Reply[]>;
}

/** The command set, looked up by name or alias. */
export interface CommandRegistry {
  readonly commands: readonly CommandSpec[];
  find(name: string): CommandSpec | undefined;
}

/** Builds a registry; duplicate names or aliases are programming errors and throw at start. */
export function createCommandRegistry(commands: CommandSpec[]): CommandRegistry {
  const byName = new Map<string, CommandSpec>();
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`command name /${name} is declared twice`);
      byName.set(name, command);
    }
    const restIndex = command.args.findIndex((arg) => arg.rest);
    if (restIndex !== -1 && restIndex !== command.args.length - 1) throw new Error(`/${command.name}: only the last argument may take the rest of the line`);
  }
  return { commands, find: (name) => byName.get(name.toLowerCase()) };
}

/** The usage line of a command, e.g. `/p <slug> <description…> [--repo R] [--branch B] [--base M]`. */
export function usageLine(command: CommandSpec): string {
  const args = command.args.map((arg) => {
    const label = arg.rest ? `${arg.name}…` : arg.name;
    return arg.required ? `<${label}>` : `[${label}]`;
  });
  const flags = command.flags.map((flag) => (flag.type === "boolean" ? `[--${flag.name}]` : `[--${flag.name} ${flag.placeholder ?? flag.name.toUpperCase()}]`));
  return [`/${command.name}`, ...args, ...flags].join(" ");
}
