import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Routes, type Client } from "discord.js";
import type { CommandRegistry } from "../../bot/command-registry.ts";
import { discordSlashDefinitions } from "./slash-definitions.ts";
import type { Logger } from "../../log.ts";
import { makeFolders } from "../../projects/make-folders.ts";

/** The file remembering what was registered, per application and scope: `${dataDir}/discord-commands.json`. */
export const COMMANDS_STATE_FILE = "discord-commands.json";

/** What {@link syncSlashCommands} did. */
export type SyncOutcome = "registered" | "unchanged";

/** Inputs of {@link syncSlashCommands}. */
export interface SyncOptions {
  client: Client<true>;
  registry: CommandRegistry;
  dataDir: string;
  /** Register in this guild (instant); globally when unset (Discord may take a while to show them). */
  guildId?: string | undefined;
  log: Logger;
}

interface StateEntry {
  hash: string;
  commands: number;
  registered_at: string;
}

/**
 * Registers the registry's slash commands with one bulk PUT, but only when they changed since the last
 * registration. "Changed" is decided locally: a SHA-256 of the definitions is kept per application and
 * scope in {@link COMMANDS_STATE_FILE}, so an unchanged restart costs no REST call and no rate limit.
 * Deleting that file forces a new registration (e.g. after removing the commands by hand).
 */
export async function syncSlashCommands(options: SyncOptions): Promise<SyncOutcome> {
  const { client, guildId } = options;
  const definitions = discordSlashDefinitions(options.registry);
  const hash = createHash("sha256").update(JSON.stringify(definitions)).digest("hex");
  const applicationId = client.application.id;
  const key = `${applicationId}:${guildId ? `guild:${guildId}` : "global"}`;
  const file = join(options.dataDir, COMMANDS_STATE_FILE);
  const state = await readState(file, options.log);
  if (state[key]?.hash === hash) return "unchanged";
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  await client.rest.put(route, { body: definitions });
  state[key] = { hash, commands: definitions.length, registered_at: new Date().toISOString() };
  await writeState(file, state);
  options.log.info(
    { adapter: "discord", scope: guildId ? `guild ${guildId}` : "global", commands: definitions.length },
    "registered slash commands",
  );
  return "registered";
}

async function readState(file: string, log: Logger): Promise<Record<string, StateEntry>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, StateEntry>)
      : {};
  } catch (error) {
    // Missing or unreadable: register again, which is always safe (the PUT replaces the whole set).
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      log.warn({ err: error, file }, "ignoring unreadable slash-command state");
    return {};
  }
}

async function writeState(file: string, state: Record<string, StateEntry>): Promise<void> {
  await makeFolders(dirname(file));
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}
