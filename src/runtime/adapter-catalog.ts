import type { AdapterDefinition, DashboardHost } from "../adapters/contract.ts";

export type { RunningAdapter } from "../adapters/contract.ts";

/** The adapters `planbot start` knows, in start order; each module loads only when its adapter is enabled. */
export const ADAPTERS: AdapterDefinition<DashboardHost>[] = [
  {
    name: "discord",
    disabledBecause: (config) => (config.discord.token ? undefined : "set DISCORD_TOKEN to enable it"),
    start: async (host) => (await import("../adapters/discord/index.ts")).startDiscordAdapter(host),
  },
  {
    name: "telegram",
    disabledBecause: (config) => (config.telegram.token ? undefined : "set TELEGRAM_TOKEN to enable it"),
    start: async (host) => (await import("../adapters/telegram/index.ts")).startTelegramAdapter(host),
  },
  {
    name: "terminal",
    // Always on: `planbot chat` attaches through a socket in the data dir that only its owner can open.
    disabledBecause: () => undefined,
    start: async (host) => (await import("../adapters/console/socket-server.ts")).startChatSocket(host),
  },
  {
    name: "dashboard",
    // Always on: it binds loopback by default, and refuses a public address without DASHBOARD_TOKEN.
    disabledBecause: () => undefined,
    start: async (host) => (await import("../adapters/http/index.ts")).startDashboardAdapter(host),
  },
];
