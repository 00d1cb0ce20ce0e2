/** Who may do what: admins everything, members the planning work, everyone else help and whoami. */
export type Role = "admin" | "member" | "guest";

/** The least role a command (or flag) needs; `anyone` includes guests. */
export type RequiredRole = "admin" | "member" | "anyone";

const RANK: Record<Role, number> = { guest: 0, member: 1, admin: 2 };
const NEEDED: Record<RequiredRole, number> = { anyone: 0, member: 1, admin: 2 };

/**
 * Adapters whose user is already trusted, as admins: the terminal's owner and whoever holds DASHBOARD_TOKEN.
 * A role is what a user may do; whether planbot speaks to them as the server's operator is another question
 * (only the terminal: docs/architecture.md, "Who may do what, and who is spoken to").
 */
const TRUSTED_ADAPTERS = new Set(["console", "dashboard"]);

/** Resolves a user's role from PLANBOT_ADMINS / PLANBOT_MEMBERS (`adapter:userId` lists). */
export interface Roles {
  roleOf(adapter: string, userId: string): Role;
}

/** Creates {@link Roles} from the configured lists. */
export function createRoles(lists: { admins: string[]; members: string[] }): Roles {
  const admins = new Set(lists.admins);
  const members = new Set(lists.members);
  return {
    roleOf(adapter, userId) {
      if (TRUSTED_ADAPTERS.has(adapter)) return "admin";
      const identity = `${adapter}:${userId}`;
      if (admins.has(identity)) return "admin";
      if (members.has(identity)) return "member";
      return "guest";
    },
  };
}

/** Whether `role` is enough for `required`. */
export function roleAllows(role: Role, required: RequiredRole): boolean {
  return RANK[role] >= NEEDED[required];
}
