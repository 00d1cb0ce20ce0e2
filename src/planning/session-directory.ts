import { conversationKey, targetOf, type ChatTarget, type Incoming } from "../chat/incoming.ts";
import type { Outbound } from "../chat/outbound.ts";
import { code, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import { fail, type Result } from "../projects/result.ts";
import type { KeyedQueue } from "./keyed-queue.ts";
import { mirrorHeader } from "./planning-replies.ts";
import { PLANNING_PHASES } from "./prompt-library.ts";
import {
  boundChat,
  findSessionForChat,
  findSessionForSlug,
  sessionChats,
  type PlanningSession,
  type SessionStore,
} from "./session-store.ts";

/** A chat's open session with the key it is stored under. */
export interface FoundSession {
  key: string;
  session: PlanningSession;
}

/** What {@link SessionDirectory.open} needs to write a fresh session record. */
export interface NewSession {
  key: string;
  target: ChatTarget;
  slug: string;
  description: string;
  /** The planner's working folder, fixed for the whole session. */
  cwd: string;
  planningSessionId: string;
}

/** Dependencies of {@link createSessionDirectory}. */
export interface SessionDirectoryDeps {
  sessions: SessionStore;
  outbound: Outbound;
  clock: Clock;
  log: Logger;
  /** The per-session queue the service runs turns in; admission enters it so order is kept. */
  queue: KeyedQueue;
  newId: () => string;
}

/**
 * The session bookkeeping every planning command shares: which session a chat belongs to, binding
 * more chats, opening and closing sessions, and mirroring replies to the other bound chats. Kept apart
 * from the commands so each command reads as its conversation logic only.
 */
export interface SessionDirectory {
  /** The open session of this chat; the dashboard's chat (channel = slug) joins a slug's session on first use, like echo-core's dashboard. */
  resolve(incoming: Incoming): Promise<Result<FoundSession>>;
  /** Adds a chat to an open session (idempotent); fails when the session has ended meanwhile. */
  bind(key: string, target: ChatTarget): Promise<Result<{ session: PlanningSession }>>;
  /** Writes a fresh session under `key`, closing any other open session of the same slug as replaced. */
  open(fresh: NewSession): Promise<Result<unknown>>;
  /** Marks a session closed with a reason; the record stays so notifications still find its chats. */
  close(key: string, reason: string): Promise<Result<{ session: PlanningSession }>>;
  /** Sends a reply to every chat of the session except the one that asked. */
  mirror(session: PlanningSession, except: ChatTarget | undefined, reply: Reply): Promise<void>;
  /** Mirrors the reply to a chat's request under a header naming who said what (`said`, default their text) and where. */
  relay(session: PlanningSession, incoming: Incoming, reply: Reply, said?: string): Promise<void>;
  /** Runs `job` in the chat's session queue, admitting requests strictly in arrival order. */
  inArrivalOrder<T>(incoming: Incoming, job: (found: FoundSession) => Promise<Result<T>>): Promise<Result<T>>;
}

/** Creates the {@link SessionDirectory} over the session store, the Outbound port and the turn queue. */
export function createSessionDirectory(deps: SessionDirectoryDeps): SessionDirectory {
  const now = () => deps.clock.now().toISOString();

  // Admits requests one at a time in arrival order: finding the chat's session reads the store, and
  // concurrent reads can finish out of order, so the session queue is entered inside this step.
  let admissions: Promise<unknown> = Promise.resolve();

  const directory: SessionDirectory = {
    async resolve(incoming) {
      const read = await deps.sessions.read();
      if (!read.ok) return read;
      const target = targetOf(incoming);
      const found = findSessionForChat(read.sessions, target);
      if (found) return { ok: true, ...found };
      if (incoming.adapter === "dashboard") {
        const bySlug = findSessionForSlug(read.sessions, incoming.channelId);
        if (bySlug) {
          const bound = await directory.bind(bySlug.key, target);
          if (!bound.ok) return bound;
          return { ok: true, key: bySlug.key, session: bound.session };
        }
      }
      return fail(
        "no_active_session",
        `No planning session in this chat. Start one with ${code("/plan <slug>")} or join one with ${code("/continue <slug>")}.`,
      );
    },

    bind(key, target) {
      return deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
        const session = sessions[key];
        if (!session || session.closed_at) return fail("no_active_session", "That planning session has ended.");
        const wanted = conversationKey(target);
        if (!sessionChats(session).some((chat) => conversationKey(chat) === wanted)) {
          session.bound_chats = [...(session.bound_chats ?? []), boundChat(target)];
          session.updated_at = now();
        }
        return { ok: true, session: structuredClone(session) };
      });
    },

    open({ key, target, slug, description, cwd, planningSessionId }) {
      return deps.sessions.mutate((sessions) => {
        for (const [otherKey, session] of Object.entries(sessions)) {
          if (session.slug.toLowerCase() === slug.toLowerCase() && !session.closed_at && otherKey !== key) {
            session.closed_at = now();
            session.closed_reason = "replaced";
          }
        }
        sessions[key] = freshSession({ target, slug, description, cwd, planningSessionId }, deps.newId(), now());
        return { ok: true };
      });
    },

    close(key, reason) {
      return deps.sessions.mutate<{ session: PlanningSession }>((sessions) => {
        const session = sessions[key];
        if (!session) return fail("no_active_session", "No such planning session.");
        session.closed_at = now();
        session.closed_reason = reason;
        session.pending_message = null;
        session.deferred_message = null;
        session.updated_at = now();
        return { ok: true, session: structuredClone(session) };
      });
    },

    async mirror(session, except, reply) {
      const skip = except ? conversationKey(except) : undefined;
      await Promise.all(
        sessionChats(session)
          .filter((chat) => conversationKey(chat) !== skip)
          .map(async (chat) => {
            const sent = await deps.outbound.send(chat, reply);
            if (!sent.ok)
              deps.log.warn(
                {
                  slug: session.slug,
                  adapter: chat.adapter,
                  channel: chat.channelId,
                  code: sent.code,
                  message: sent.message,
                },
                "mirror send failed",
              );
          }),
      );
    },

    relay(session, incoming, reply, said = incoming.text) {
      return directory.mirror(session, targetOf(incoming), {
        ...reply,
        text: `${mirrorHeader(incoming.userName, incoming.adapter, said)}\n\n${reply.text}`,
      });
    },

    inArrivalOrder(incoming, job) {
      const admitted = admissions.then(async () => {
        const found = await directory.resolve(incoming);
        return { done: found.ok ? deps.queue.run(found.key, () => job(found)) : Promise.resolve(found) };
      });
      admissions = admitted.then(
        () => undefined,
        () => undefined,
      );
      return admitted.then((step) => step.done);
    },
  };
  return directory;
}

/**
 * The record of a session that has just opened: in the first phase, no planner session started yet
 * (`session_id` is the id the first turn will create), no turns, no cost, no other chats.
 */
function freshSession(fresh: Omit<NewSession, "key">, sessionId: string, at: string): PlanningSession {
  return {
    adapter: fresh.target.adapter,
    channel_id: fresh.target.channelId,
    thread_id: fresh.target.threadId ?? null,
    slug: fresh.slug,
    phase: PLANNING_PHASES[0],
    phases_planned: [...PLANNING_PHASES],
    phases_completed: [],
    session_id: sessionId,
    session_started: false,
    planning_session_id: fresh.planningSessionId,
    started_at: at,
    updated_at: at,
    last_text_excerpt: "",
    final_plan_path: null,
    phase_ready: false,
    description: fresh.description,
    cwd: fresh.cwd,
    bound_chats: [],
    cost_usd: 0,
    turns: 0,
    pending_message: null,
    closed_at: null,
    closed_reason: null,
  };
}
