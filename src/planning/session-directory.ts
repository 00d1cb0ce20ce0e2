import { type ChatTarget, type Incoming, targetOf } from "../chat/incoming.ts";
import type { ReliableSender } from "../chat/reliable-send.ts";
import { code, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import { fail, type Result } from "../projects/result.ts";
import type { KeyedQueue } from "./keyed-queue.ts";
import { mirrorHeader } from "./planning-replies.ts";
import { mirrorReply } from "./session-mirror.ts";
import { bindChat, closeSession, type NewSession, openSession } from "./session-records.ts";
import { findSessionForChat, findSessionForSlug, type PlanningSession, type SessionStore } from "./session-store.ts";

/** A chat's open session with the key it is stored under. */
export interface FoundSession {
  key: string;
  session: PlanningSession;
}

/** Dependencies of {@link createSessionDirectory}. */
export interface SessionDirectoryDeps {
  sessions: SessionStore;
  /** Mirrored replies go through it: retried when a chat has a hiccup, in order per chat. */
  delivery: ReliableSender;
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
    bind: (key, target) => bindChat(deps, key, target),
    open: (fresh) => openSession(deps, fresh),
    close: (key, reason) => closeSession(deps, key, reason),
    mirror: (session, except, reply) => mirrorReply(deps, session, except, reply),
    relay(session, incoming, reply, said = incoming.text) {
      const header = mirrorHeader(incoming.userName, incoming.adapter, said);
      return directory.mirror(session, targetOf(incoming), {
        ...reply,
        text: `${header}\n\n${reply.text}`,
        ...(reply.operatorText ? { operatorText: `${header}\n\n${reply.operatorText}` } : {}),
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
