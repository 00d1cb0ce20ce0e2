import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { isUuid } from "./session-id.ts";
import { makeFolders } from "../projects/make-folders.ts";

/**
 * One message of a planning conversation as people exchanged it: what a member wrote (or the command
 * they gave) and what the planner answered, without the protocol's markers. The dashboard's chat and
 * the transcript endpoint show exactly these.
 */
export interface TranscriptEntry {
  role: "user" | "assistant";
  text: string;
  phase?: string | undefined;
  at?: string | undefined;
  /** The chat's platform (`discord`, `telegram`, `dashboard`, `console`). */
  adapter?: string | undefined;
  /** Who wrote it (user messages only). */
  user?: string | undefined;
  /** The chat it came from (user messages) — `{adapter, channel_id, thread_id}`. */
  chat?: { adapter: string; channel_id: string; thread_id?: string | null | undefined } | undefined;
}

/**
 * planbot's own record of every planning conversation, one JSON line per message in
 * `<dataDir>/sessions/conversations/<planning session id>.jsonl`. It does not depend on the planner's
 * transcript, which the CLI deletes after 30 days or loses with another HOME: a lost planner session is
 * re-seeded from this record.
 */
export interface ConversationLog {
  append(planningSessionId: string, entry: TranscriptEntry): Promise<void>;
  read(planningSessionId: string): Promise<TranscriptEntry[]>;
}

/** Creates the {@link ConversationLog} under `dataDir`. */
export function createConversationLog(dataDir: string): ConversationLog {
  const folder = join(dataDir, "sessions", "conversations");
  const fileOf = (id: string) => {
    // The id names a file: only planbot's UUIDs qualify, so no stored value can point elsewhere.
    if (!isUuid(id)) throw new Error(`not a planning session id: ${JSON.stringify(String(id).slice(0, 60))}`);
    return join(folder, `${id}.jsonl`);
  };
  return {
    async append(planningSessionId, entry) {
      const file = fileOf(planningSessionId);
      await makeFolders(folder, 0o700);
      // One write of one whole line, appended, never through a symlink; fsynced so an answered turn is on disk.
      const handle = await open(
        file,
        constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await handle.write(`${JSON.stringify(withoutUndefined(entry))}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
    async read(planningSessionId) {
      let raw: string;
      try {
        const handle = await open(fileOf(planningSessionId), constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          raw = await handle.readFile("utf8");
        } finally {
          await handle.close();
        }
      } catch {
        return [];
      }
      const entries: TranscriptEntry[] = [];
      for (const line of raw.split("\n")) {
        if (!line.trim()) continue;
        try {
          const value = JSON.parse(line) as TranscriptEntry;
          // A torn last line (planbot killed mid-write) or a foreign line is skipped, not fatal.
          if ((value.role === "user" || value.role === "assistant") && typeof value.text === "string")
            entries.push(value);
        } catch {}
      }
      return entries;
    },
  };
}

function withoutUndefined(entry: TranscriptEntry): TranscriptEntry {
  return Object.fromEntries(
    Object.entries(entry).filter(([, value]) => value !== undefined),
  ) as unknown as TranscriptEntry;
}
