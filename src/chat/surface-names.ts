/**
 * The names people use for the surfaces planbot chats on, by adapter id. Stored data (sessions, chat
 * keys, `/whoami` ids) keeps the adapter id; whatever a person reads names the surface so.
 */
const SURFACE_NAMES: Readonly<Record<string, string>> = {
  console: "terminal",
  telegram: "Telegram",
  discord: "Discord",
  dashboard: "dashboard",
};

/** The human name of the surface an adapter id stands for; an id planbot does not know is shown as it is. */
export function surfaceName(adapter: string): string {
  return SURFACE_NAMES[adapter] ?? adapter;
}
