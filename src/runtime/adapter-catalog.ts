import type { Config } from "../config.ts";
import type { Runtime } from "./runtime.ts";

/** A started adapter; `stop` stops taking new messages and closes connections. */
export interface RunningAdapter {
  stop(): Promise<void>;
}

/** One adapter `planbot start` can run, loaded only when enabled so unused platform libraries never load. */
export interface AdapterEntry {
  name: string;
  /** undefined when enabled; otherwise what enables it (shown in the start-up line). */
  disabledBecause(config: Config): string | undefined;
  start(runtime: Runtime): Promise<RunningAdapter>;
}

/** The adapters `planbot start` knows, in start order. */
export const ADAPTERS: AdapterEntry[] = [
  {
    name: "discord",
    disabledBecause: (config) => (config.discord.token ? undefined : "set DISCORD_TOKEN to enable it"),
    start: async (runtime) => (await import("../adapters/discord/index.ts")).startDiscordAdapter(runtime),
  },
  {
    name: "telegram",
    disabledBecause: (config) => (config.telegram.token ? undefined : "set TELEGRAM_TOKEN to enable it"),
    start: async (runtime) => (await import("../adapters/telegram/index.ts")).startTelegramAdapter(runtime),
  },
  {
    name: "dashboard",
    // Always on: it binds loopback by default, and refuses a public address without DASHBOARD_TOKEN.
    disabledBecause: () => undefined,
    start: async (runtime) => (await import("../adapters/http/index.ts")).startDashboardAdapter(runtime),
  },
];
