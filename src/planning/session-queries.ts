import type { ChatTarget } from "../chat/incoming.ts";
import type { Result } from "../projects/result.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningPort } from "./planning-port.ts";
import { describeSession } from "./planning-replies.ts";
import { readCliTranscript, type TranscriptEntry } from "./transcript.ts";
import {
  findEndedSessionForChat,
  findSessionForChat,
  findSessionForSlug,
  sessionChats,
  type PlanningSession,
} from "./session-store.ts";

/** What the session queries use of the planning service. */
export type QueryParts = Pick<PlanningParts, "sessions" | "conversations" | "log" | "env">;

/**
 * What the adapters, `/status`, the dashboard and the notifier read about planning: whether a chat
 * plans, a slug's session, its chats, its conversation and the latest planner excerpts. Read only;
 * nothing here starts a turn.
 */
export interface SessionQueries extends Pick<PlanningPort, "hasSession" | "describe" | "endedIn"> {
  /** The session of a slug (open first, else the latest closed one); a corrupt session file is a failure, not "none". */
  sessionForSlug(slug: string): Promise<Result<{ session: PlanningSession | undefined }>>;
  /** The slugs of every open session. */
  openSessionSlugs(): Promise<string[]>;
  /** Every chat that planned a project, for notifications about how it ended. */
  chatsForProject(slug: string): Promise<ChatTarget[]>;
  /** The conversation so far, from planbot's own record. */
  transcript(slug: string): Promise<TranscriptEntry[]>;
  /** Latest excerpt per lower-case slug, for the project list. */
  previews(): ReadonlyMap<string, string>;
}

/** Creates the {@link SessionQueries} over the session store and planbot's conversation record. */
export function createSessionQueries(parts: QueryParts): SessionQueries {
  const queries: SessionQueries = {
    async hasSession(target) {
      const read = await parts.sessions.read();
      return read.ok ? findSessionForChat(read.sessions, target) !== undefined : false;
    },

    async endedIn(target) {
      const read = await parts.sessions.read();
      const ended = read.ok ? findEndedSessionForChat(read.sessions, target) : undefined;
      // An approved plan's chats hear how the run ends; their text is ordinary chat again, as after /done. A
      // session whose first turn failed never was a conversation: that /plan's own reply said so.
      if (!ended || ended.closed_reason === "approved" || ended.closed_reason === "start_failed") return undefined;
      return { slug: ended.slug, reason: ended.closed_reason ?? "closed" };
    },

    async describe(slug) {
      const found = await queries.sessionForSlug(slug);
      if (!found.ok) return `Planning state unreadable: ${found.message}`;
      return found.session ? describeSession(found.session) : undefined;
    },

    async sessionForSlug(slug) {
      const read = await parts.sessions.read();
      if (!read.ok) return read;
      return { ok: true, session: findSessionForSlug(read.sessions, slug, true)?.session };
    },

    async openSessionSlugs() {
      const read = await parts.sessions.read();
      if (!read.ok) return [];
      return Object.values(read.sessions)
        .filter((session) => !session.closed_at)
        .map((session) => session.slug);
    },

    async chatsForProject(slug) {
      const found = await queries.sessionForSlug(slug);
      if (!found.ok)
        parts.log.error(
          { slug, message: found.message },
          "planning sessions unreadable; notifying the configured channels only",
        );
      return found.ok && found.session ? sessionChats(found.session) : [];
    },

    async transcript(slug) {
      const found = await queries.sessionForSlug(slug);
      const session = found.ok ? found.session : undefined;
      if (!session) return [];
      // The shape the dashboard's chat reads: {role, text, phase?, at?, adapter?, user?} (the chat record stays on disk).
      const recorded = (await parts.conversations.read(session.planning_session_id).catch(() => [])).map(
        ({ chat: _chat, ...entry }) => entry,
      );
      if (recorded.length || !session.session_started || !session.cwd) return recorded;
      // Planned before planbot kept its own record: the CLI's transcript, if it still exists.
      return readCliTranscript(session.cwd, session.session_id, parts.env);
    },

    previews() {
      const latest = new Map<string, { at: string; text: string }>();
      for (const session of Object.values(parts.sessions.cached())) {
        const key = session.slug.toLowerCase();
        const excerpt = session.last_text_excerpt ?? "";
        if (!excerpt) continue;
        const known = latest.get(key);
        if (!known || session.updated_at >= known.at) latest.set(key, { at: session.updated_at, text: excerpt });
      }
      return new Map([...latest].map(([slug, value]) => [slug, value.text]));
    },
  };
  return queries;
}
