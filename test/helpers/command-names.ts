/**
 * Every chat command planbot offers, in the registry's order: the order of /help for an admin, the Discord
 * slash definitions and the Telegram command menu. Written out (not read from the registry) so the tests of
 * those surfaces notice a command added, dropped or moved.
 */
export const ALL_COMMANDS = [
  "p",
  "edit",
  "plan",
  "replan",
  "approve",
  "unapprove",
  "cancel",
  "status",
  "next",
  "done",
  "stop",
  "continue",
  "run",
  "deliver",
  "whoami",
  "help",
];
