import type { CommandSpec } from "./command-registry.ts";
import { roleAllows, type RequiredRole, type Role } from "./roles.ts";

/**
 * What a role lacks to run a parsed command: the command's own role, then the role of any flag it
 * uses (`/replan --force` is for admins). One function, so adapters that must decide before running a
 * command (Discord opens a thread for /plan) ask the same question the core asks.
 */
export function missingRole(
  role: Role,
  command: CommandSpec,
  flags: Record<string, string | boolean | undefined>,
): { what: string; needed: RequiredRole } | undefined {
  if (!roleAllows(role, command.role)) return { what: `/${command.name}`, needed: command.role };
  for (const flag of command.flags) {
    const used = flags[flag.name] !== undefined && flags[flag.name] !== false;
    if (flag.role && used && !roleAllows(role, flag.role))
      return { what: `/${command.name} --${flag.name}`, needed: flag.role };
  }
  return undefined;
}
