import type { CommandSpec } from "../command-registry.ts";
import { commandHelp } from "../command-help.ts";
import { helpText } from "../help-text.ts";
import { code, escapeMarkup, reply } from "../../chat/reply.ts";

/** `/help` — every command this user may run. */
export const helpCommand: CommandSpec = {
  name: "help",
  aliases: ["start"],
  summary: "list the commands",
  role: "anyone",
  args: [{ name: "command", description: "a command to explain, e.g. run", required: false, kind: "text" }],
  flags: [],
  async handler({ registry, role, args }) {
    return reply(args.command ? commandHelp(registry, role, args.command) : helpText(registry, role));
  },
};

/** `/whoami` — the id to put in PLANBOT_ADMINS or PLANBOT_MEMBERS. */
export const whoamiCommand: CommandSpec = {
  name: "whoami",
  summary: "show your id and role",
  role: "anyone",
  args: [],
  flags: [],
  async handler({ incoming, role }) {
    const identity = `${incoming.adapter}:${incoming.userId}`;
    const hint =
      role === "guest"
        ? `\nTo give access, add ${code(identity)} to PLANBOT_MEMBERS (or PLANBOT_ADMINS) and restart planbot.`
        : "";
    return reply(`You are ${escapeMarkup(incoming.userName)}, ${code(identity)}, role: **${role}**.${hint}`);
  },
};
