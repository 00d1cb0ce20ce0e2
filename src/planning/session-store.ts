import { join } from "node:path";
import { z } from "zod";
import { conversationKey, type ChatTarget } from "../chat/incoming.ts";
import { createLockedJsonFile, type MutationOutcome } from "../projects/locked-json-file.ts";
import type { Result } from "../projects/result.ts";
import { describeZodError } from "../projects/schemas.ts";

/** A chat bound to a session: replies are delivered to every one of them. */
export const BoundChatSchema = z.looseObject({
  adapter: z.string(),
  channel_id: z.string(),
  thread_id: z.string().nullable().optional(),
});
export type BoundChat = z.infer<typeof BoundChatSchema>;

/** A message handed to the planner and not answered yet; a restart finds it and tells the user. */
export const PendingMessageSchema = z.looseObject({
  text: z.string(),
  user: z.string(),
  chat: BoundChatSchema,
  at: z.string(),
  /** Which process took it: a different boot means the turn died with its process. */
  boot_id: z.string(),
});

/** One planning session (echo-core's fields plus bound chats, cost and the pending message). */
export const PlanningSessionSchema = z.looseObject({
  adapter: z.string(),
  channel_id: z.string(),
  thread_id: z.string().nullable().optional(),
  slug: z.string(),
  phase: z.string(),
  phases_planned: z.array(z.string()),
  phases_completed: z.array(z.string()),
  /** The planner's (Claude's) session id. */
  session_id: z.string(),
  /** Whether the planner has created `session_id` yet (the first turn does). */
  session_started: z.boolean().optional(),
  /** planbot's id for this planning run, stored on the project entry. */
  planning_session_id: z.string(),
  started_at: z.string(),
  updated_at: z.string(),
  last_text_excerpt: z.string().optional(),
  final_plan_path: z.string().nullable().optional(),
  phase_ready: z.boolean().optional(),
  description: z.string().optional(),
  cwd: z.string().optional(),
  bound_chats: z.array(BoundChatSchema).optional(),
  cost_usd: z.number().optional(),
  turns: z.number().int().optional(),
  pending_message: PendingMessageSchema.nullable().optional(),
  /** A message kept because of a usage limit, sent again at `retry_at` (see deferred-turns.ts). */
  deferred_message: z.looseObject({ retry_at: z.string() }).nullable().optional(),
  /** Set when planning ended (approved or stopped); the record stays so notifications find its chats. */
  closed_at: z.string().nullable().optional(),
  closed_reason: z.string().nullable().optional(),
});
export type PlanningSession = z.infer<typeof PlanningSessionSchema>;

const SessionsFileSchema = z.record(z.string(), PlanningSessionSchema);
export type SessionsFile = Record<string, PlanningSession>;

/** `sessions/planning.json` through the same locked, atomic file helper as the project store. */
export interface SessionStore {
  readonly path: string;
  read(): Promise<Result<{ sessions: SessionsFile }>>;
  mutate<T>(apply: (sessions: SessionsFile) => MutationOutcome<T>): Promise<Result<T>>;
  /** The last data read or written, for synchronous previews (may lag another process by one read). */
  cached(): SessionsFile;
}

/** Creates the {@link SessionStore} of `dataDir`. */
export function createSessionStore(dataDir: string): SessionStore {
  let last: SessionsFile = {};
  const file = createLockedJsonFile<SessionsFile>({
    path: join(dataDir, "sessions", "planning.json"),
    empty: () => ({}),
    parse: (value) => {
      const parsed = SessionsFileSchema.safeParse(value);
      return parsed.success
        ? { ok: true, data: value as SessionsFile }
        : { ok: false, problem: describeZodError(parsed.error) };
    },
    beforeWrite: (data) => {
      last = data;
    },
  });
  return {
    path: file.path,
    async read() {
      const result = await file.read();
      if (!result.ok) return result;
      last = result.data;
      return { ok: true, sessions: result.data };
    },
    mutate: (apply) => file.mutate(apply),
    cached: () => last,
  };
}

/** The chat a bound-chat record stands for. */
export function chatTarget(chat: BoundChat): ChatTarget {
  return chat.thread_id
    ? { adapter: chat.adapter, channelId: chat.channel_id, threadId: chat.thread_id }
    : { adapter: chat.adapter, channelId: chat.channel_id };
}

/** The bound-chat record of a target. */
export function boundChat(target: ChatTarget): BoundChat {
  return { adapter: target.adapter, channel_id: target.channelId, thread_id: target.threadId ?? null };
}

/** Every chat of a session, its origin first. */
export function sessionChats(session: PlanningSession): ChatTarget[] {
  const origin = chatTarget(session);
  const seen = new Set([conversationKey(origin)]);
  const chats = [origin];
  for (const chat of session.bound_chats ?? []) {
    const target = chatTarget(chat);
    if (seen.has(conversationKey(target))) continue;
    seen.add(conversationKey(target));
    chats.push(target);
  }
  return chats;
}

/**
 * The session a chat took part in most recently, when it ended and the chat has none open now: what a
 * chat is told when its plain text no longer reaches a planner.
 */
export function findEndedSessionForChat(sessions: SessionsFile, target: ChatTarget): PlanningSession | undefined {
  if (findSessionForChat(sessions, target)) return undefined;
  const wanted = conversationKey(target);
  let latest: PlanningSession | undefined;
  for (const session of Object.values(sessions)) {
    if (!session.closed_at || (latest && latest.closed_at! >= session.closed_at)) continue;
    if (sessionChats(session).some((chat) => conversationKey(chat) === wanted)) latest = session;
  }
  return latest;
}

/** The open session a chat takes part in (as origin or bound), with its key. */
export function findSessionForChat(
  sessions: SessionsFile,
  target: ChatTarget,
): { key: string; session: PlanningSession } | undefined {
  const wanted = conversationKey(target);
  const own = sessions[wanted];
  if (own && !own.closed_at) return { key: wanted, session: own };
  for (const [key, session] of Object.entries(sessions)) {
    if (session.closed_at) continue;
    if (sessionChats(session).some((chat) => conversationKey(chat) === wanted)) return { key, session };
  }
  return undefined;
}

/** The most recently updated session of a slug (echo-core's resolve-by-slug), open ones first unless `includeClosed`. */
export function findSessionForSlug(
  sessions: SessionsFile,
  slug: string,
  includeClosed = false,
): { key: string; session: PlanningSession } | undefined {
  const wanted = slug.toLowerCase();
  const matches = Object.entries(sessions)
    .filter(([, session]) => session.slug.toLowerCase() === wanted && (includeClosed || !session.closed_at))
    .sort(([, a], [, b]) => (a.updated_at < b.updated_at ? 1 : -1));
  const open = matches.find(([, session]) => !session.closed_at) ?? matches[0];
  return open ? { key: open[0], session: open[1] } : undefined;
}

/**
 * The session under `key` as the store holds it now (undefined when unreadable or gone): a command
 * queued behind another re-reads, as the one ahead may have moved the phase or closed the session.
 */
export async function sessionAt(store: Pick<SessionStore, "read">, key: string): Promise<PlanningSession | undefined> {
  const read = await store.read();
  return read.ok ? read.sessions[key] : undefined;
}
