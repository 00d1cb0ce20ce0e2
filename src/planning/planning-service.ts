import { randomUUID } from "node:crypto";
import type { PlanningPort } from "./planning-port.ts";
import { conversationKey, targetOf, type ChatTarget, type Incoming } from "../chat/incoming.ts";
import type { Outbound } from "../chat/outbound.ts";
import { bold, code, escapeMarkup, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { fail, type Failure, type Result } from "../projects/result.ts";
import { validateAnswer } from "../projects/validation.ts";
import { approvePlanned } from "./approve-plan.ts";
import { createConversationLog, type ConversationLog } from "./conversation-log.ts";
import { createDeferredTurns } from "./deferred-turns.ts";
import { finalPlanParts, planOf } from "./final-plan-delivery.ts";
import { createKeyedQueue } from "./keyed-queue.ts";
import { firstMessage, memberBlock } from "./member-message.ts";
import type { PlannerBackend } from "./planner-backend.ts";
import { describeSession, mirrorHeader, phaseLabel, plannerReply } from "./planning-replies.ts";
import { COMPLETE_PHASE, PLANNING_PHASES } from "./prompt-library.ts";
import { createSessionDirectory } from "./session-directory.ts";
import { createSessionFinalizer, planWrittenText } from "./session-finalizer.ts";
import {
  boundChat,
  findSessionForChat,
  findSessionForSlug,
  sessionChats,
  type PlanningSession,
  type SessionStore,
} from "./session-store.ts";
import { nextRunText } from "./next-run-text.ts";
import { preparePlanningWorkspace } from "./planning-workspace.ts";
import { readCliTranscript, type TranscriptEntry } from "./transcript.ts";
import { createTurnRunner } from "./turn-runner.ts";

/** Dependencies of {@link createPlanningService}. */
export interface PlanningDeps {
  sessions: SessionStore;
  store: ProjectStore;
  lifecycle: Lifecycle;
  planner: PlannerBackend;
  outbound: Outbound;
  clock: Clock;
  log: Logger;
  dataDir: string;
  workspaceDir: string;
  maxParallel: number;
  /** Identifies this process's turns, so a restart can tell a dead turn from a running one. */
  bootId?: string;
  newId?: () => string;
  env?: NodeJS.ProcessEnv | undefined;
  /** EXECUTE_AT: replies promise a scheduled run only when one is set. */
  executeAt?: string | undefined;
  /** GIT_REMOTE_BASE: planning reads a checkout of the project's repository when set. */
  gitRemoteBase?: string | undefined;
  /** planbot's record of the conversations (default: under `dataDir`). */
  conversations?: ConversationLog;
  /** Stops planner processes a killed planbot left running; awaited before the first turn resumes anything. */
  sweepLeftovers?: () => Promise<number>;
}

/** The planning service: the chat commands' {@link PlanningPort} plus what the dashboard and notifier read. */
export interface PlanningService extends PlanningPort {
  /** The session of a slug (open first, else the latest closed one); a corrupt session file is a failure, not "none". */
  sessionForSlug(slug: string): Promise<Result<{ session: PlanningSession | undefined }>>;
  /** Every chat that planned a project, for notifications about how it ended. */
  chatsForProject(slug: string): Promise<ChatTarget[]>;
  /** The conversation so far, from planbot's own record. */
  transcript(slug: string): Promise<TranscriptEntry[]>;
  /** Ends a slug's open planning session (admin /cancel): its running turn is stopped, its answer never delivered. */
  abandon(slug: string, reason: string): Promise<boolean>;
  /** Stops every running planner turn (SIGTERM of planbot); resolves once they have all ended. */
  shutdown(): Promise<void>;
  /** Latest excerpt per lower-case slug, for the project list. */
  previews(): ReadonlyMap<string, string>;
  /** Tells the chats of turns that died with an earlier process and schedules messages kept for a usage limit; call once adapters are up. */
  recoverInterrupted(): Promise<number>;
}

/**
 * Creates the {@link PlanningService}. Sessions are keyed by the chat that started them; `/continue`
 * binds more chats; every planner reply goes to the asking chat as the return value and to the other
 * bound chats through the Outbound port. Turns of one session run one at a time in arrival order.
 */
export function createPlanningService(deps: PlanningDeps): PlanningService {
  const bootId = deps.bootId ?? randomUUID();
  const newId = deps.newId ?? randomUUID;
  const queue = createKeyedQueue(deps.maxParallel);
  const conversations = deps.conversations ?? createConversationLog(deps.dataDir);
  const swept = (deps.sweepLeftovers?.() ?? Promise.resolve(0)).then(
    (count) => {
      if (count) deps.log.warn({ count }, "stopped planner processes left running by a previous planbot");
    },
    (error: unknown) => deps.log.error({ err: error }, "could not stop leftover planner processes"),
  );
  const planner: PlannerBackend = { run: async (turn) => (await swept, deps.planner.run(turn)) };
  const turns = createTurnRunner({
    sessions: deps.sessions,
    planner,
    conversations,
    clock: deps.clock,
    log: deps.log,
    bootId,
    newId,
    onDeferred: () => deferred.schedule(),
    onReseeded: (session) =>
      directory.mirror(session, undefined, {
        text: `The planner lost its earlier conversation about ${bold(session.slug)} (its transcript was deleted or moved). planbot started a new planner session from its own record of the conversation and carried on.`,
      }),
  });
  const now = () => deps.clock.now().toISOString();
  const directory = createSessionDirectory({
    sessions: deps.sessions,
    outbound: deps.outbound,
    clock: deps.clock,
    log: deps.log,
    queue,
    newId,
  });
  const deferred = createDeferredTurns({
    sessions: deps.sessions,
    turns,
    queue,
    clock: deps.clock,
    log: deps.log,
    deliver: (session, reply) => directory.mirror(session, undefined, reply),
  });
  const finalizer = createSessionFinalizer({
    turns,
    sessions: deps.sessions,
    store: deps.store,
    clock: deps.clock,
    workspaceDir: deps.workspaceDir,
  });

  function chatOf(incoming: Incoming) {
    return boundChat(targetOf(incoming));
  }

  const service: PlanningService = {
    async start({ incoming, signals, slug, description, force }) {
      const read = await deps.sessions.read();
      if (!read.ok) return read;
      const target = targetOf(incoming);
      const here = findSessionForChat(read.sessions, target);
      if (here && (here.session.slug.toLowerCase() !== slug.toLowerCase() || !force)) {
        const other = here.session.slug;
        return fail(
          "invalid_state",
          other.toLowerCase() === slug.toLowerCase()
            ? `This chat is already planning ${bold(other)} (${phaseLabel(here.session.phase)}). Answer here, or ${code("/next")}; ${code(`/replan ${other} --force`)} starts over.`
            : `This chat is planning ${bold(other)}. ${code("/stop")} it first, or plan ${slug} in another chat or thread.`,
        );
      }
      const elsewhere = findSessionForSlug(read.sessions, slug);
      if (elsewhere && !force && elsewhere.key !== conversationKey(target)) {
        return fail(
          "invalid_state",
          `${bold(slug)} is already being planned in a ${elsewhere.session.adapter} chat. Send ${code(`/continue ${slug}`)} here to join that conversation.`,
        );
      }
      const started = await deps.lifecycle.startPlanning(slug, { description, force });
      if (!started.ok) return started;
      const entry = started.entry;
      const key = conversationKey(target);
      // The planner works in the project's own workspace (a checkout of its repository), never in planbot's data folder.
      const prepared = await preparePlanningWorkspace(entry, {
        workspaceDir: deps.workspaceDir,
        gitRemoteBase: deps.gitRemoteBase,
        env: deps.env,
      });
      if (!prepared.ok) {
        await deps.lifecycle.cancelPlanning(entry.name);
        return startFailed(entry.name, prepared);
      }
      const cwd = prepared.workspace.root;
      const planningSessionId = newId();
      const created = await directory.open({
        key,
        target,
        slug: entry.name,
        description: entry.description ?? description ?? "",
        cwd,
        planningSessionId,
      });
      if (!created.ok) return created;
      await deps.lifecycle.linkPlanningSession(entry.name, planningSessionId);
      const text = entry.description ?? description ?? "";
      const first = await queue.run(key, () =>
        turns.run({
          key,
          prompt: "clarify",
          message: firstMessage({
            slug: entry.name,
            workspace: prepared.workspace.description,
            description: text,
            user: incoming.userName,
            adapter: incoming.adapter,
          }),
          shown: text,
          user: incoming.userName,
          chat: chatOf(incoming),
          signals,
        }),
      );
      if (!first.ok) {
        // A first turn that fails leaves the project as it was: pending, no open session.
        await directory.close(key, "start_failed");
        await deps.lifecycle.cancelPlanning(entry.name);
        return startFailed(entry.name, first);
      }
      const header = `Planning ${bold(entry.name)} — ${phaseLabel(PLANNING_PHASES[0])}. Answer the planner here; ${code("/next")} moves on, ${code("/stop")} cancels.`;
      return { ok: true, reply: plannerReply(first.session, first.text, first.ready, { header }) };
    },

    async answer({ incoming, signals }) {
      const invalid = validateAnswer(incoming.text);
      if (invalid) return fail("validation_failed", invalid, { fields: { answer: invalid } });
      const outcome = await directory.inArrivalOrder(incoming, async (found) => {
        // The phase as it is now: a /next queued ahead of this message may have moved it.
        const read = await deps.sessions.read();
        const phase = (read.ok ? read.sessions[found.key]?.phase : undefined) ?? found.session.phase;
        return turns.run({
          key: found.key,
          prompt: phase === COMPLETE_PHASE ? "stories" : (phase as (typeof PLANNING_PHASES)[number]),
          message: memberBlock(incoming.text, { user: incoming.userName, adapter: incoming.adapter }),
          shown: incoming.text,
          user: incoming.userName,
          chat: chatOf(incoming),
          signals,
        });
      });
      if (!outcome.ok) return outcome;
      const reply = plannerReply(outcome.session, outcome.text, outcome.ready, { interrupted: outcome.interrupted });
      await directory.mirror(outcome.session, targetOf(incoming), {
        ...reply,
        text: `${mirrorHeader(incoming.userName, incoming.adapter, incoming.text)}\n\n${reply.text}`,
      });
      return { ok: true, reply };
    },

    async next(request) {
      return directory.inArrivalOrder(request.incoming, async (found): Promise<Result<{ reply: Reply }>> => {
        const read = await deps.sessions.read();
        const session = read.ok ? read.sessions[found.key] : undefined;
        if (!session || session.closed_at) return fail("no_active_session", "This planning session has ended.");
        if (session.phase === COMPLETE_PHASE)
          return {
            ok: true,
            reply: {
              text: `The plan is written. ${code("/done")} approves ${bold(session.slug)}.`,
              actions: [{ label: "Approve (/done)", command: "/done", style: "success" }],
            },
          };
        const index = PLANNING_PHASES.indexOf(session.phase as (typeof PLANNING_PHASES)[number]);
        const following = PLANNING_PHASES[index + 1];
        let reply: Reply;
        if (!following) {
          const finished = await finalizer.finalize(found.key, session, request);
          if (!finished.ok) return finished;
          reply = plannerReply(finished.session, planWrittenText(finished.written), true);
        } else {
          const moved = await deps.sessions.mutate((sessions) => {
            const current = sessions[found.key]!;
            current.phases_completed = [...new Set([...current.phases_completed, session.phase])];
            current.phase = following;
            current.phase_ready = false;
            current.updated_at = now();
            return { ok: true };
          });
          if (!moved.ok) return moved;
          const outcome = await turns.run({
            key: found.key,
            prompt: following,
            message: `Let's move on to the ${following} phase.`,
            shown: request.incoming.text,
            user: request.incoming.userName,
            chat: chatOf(request.incoming),
            signals: request.signals,
          });
          if (!outcome.ok) return outcome;
          reply = plannerReply(outcome.session, outcome.text, outcome.ready, {
            header: `${bold(session.slug)} — ${phaseLabel(following)}`,
            interrupted: outcome.interrupted,
          });
        }
        const latest = await deps.sessions.read();
        const current = latest.ok ? latest.sessions[found.key] : undefined;
        if (current)
          await directory.mirror(current, targetOf(request.incoming), {
            ...reply,
            text: `${mirrorHeader(request.incoming.userName, request.incoming.adapter, "/next")}\n\n${reply.text}`,
          });
        return { ok: true, reply };
      });
    },

    async done(request) {
      return directory.inArrivalOrder(request.incoming, async (found): Promise<Result<{ reply: Reply }>> => {
        const read = await deps.sessions.read();
        let session = read.ok ? read.sessions[found.key] : undefined;
        if (!session || session.closed_at) return fail("no_active_session", "This planning session has ended.");
        let prefix = "";
        if (session.phase !== COMPLETE_PHASE || !session.final_plan_path) {
          const finished = await finalizer.finalize(found.key, session, request);
          if (!finished.ok) return finished;
          session = finished.session;
          prefix = `${planWrittenText(finished.written)}\n\n`;
        }
        const approved = await approvePlanned(
          deps.lifecycle,
          session.slug,
          session.planning_session_id,
          session.final_plan_path!,
          now,
        );
        if (!approved.ok) return approved;
        const closed = await directory.close(found.key, "approved");
        const reply: Reply = {
          text: `${prefix}Approved ${bold(session.slug)} with its plan. ${nextRunText(session.slug, deps.executeAt)} This chat will hear how it ends.`,
          tone: "success",
          actions: [
            { label: "Run now", command: `/run ${session.slug}`, style: "primary" },
            { label: "Status", command: `/status ${session.slug}`, style: "secondary" },
          ],
        };
        // The final plan: a document, its summary, and Run now · Re-plan · Cancel (src/planning/final-plan-delivery.ts).
        Object.assign(reply, await finalPlanParts(reply.text, planOf(session, deps.workspaceDir)));
        if (closed.ok)
          await directory.mirror(closed.session, targetOf(request.incoming), {
            ...reply,
            text: `${mirrorHeader(request.incoming.userName, request.incoming.adapter, "/done")}\n\n${reply.text}`,
          });
        return { ok: true, reply };
      });
    },

    async stop({ incoming }) {
      const found = await directory.resolve(incoming);
      if (!found.ok) return found;
      // Closed first, so a turn that ends now finds its session closed and its answer is dropped; then the turn is killed.
      const closed = await directory.close(found.key, "stopped");
      turns.abort(found.key);
      const cancelled = await deps.lifecycle.cancelPlanning(found.session.slug);
      if (!cancelled.ok && cancelled.code !== "not_found") return cancelled;
      const reply: Reply = {
        text: `Stopped planning ${bold(found.session.slug)}; it is pending again. ${code(`/plan ${found.session.slug}`)} starts over.`,
        tone: "success",
      };
      if (closed.ok)
        await directory.mirror(closed.session, targetOf(incoming), {
          ...reply,
          text: `${mirrorHeader(incoming.userName, incoming.adapter, "/stop")}\n\n${reply.text}`,
        });
      return { ok: true, reply };
    },

    async continueIn({ incoming, slug }) {
      const read = await deps.sessions.read();
      if (!read.ok) return read;
      const target = targetOf(incoming);
      const found = findSessionForSlug(read.sessions, slug);
      if (!found)
        return fail(
          "no_active_session",
          `Nobody is planning ${bold(slug)} right now. Start with ${code(`/plan ${slug}`)}.`,
        );
      const here = findSessionForChat(read.sessions, target);
      if (here && here.key !== found.key)
        return fail(
          "invalid_state",
          `This chat is planning ${bold(here.session.slug)}. ${code("/stop")} it first, or continue ${slug} in another chat.`,
        );
      const bound = await directory.bind(found.key, target);
      if (!bound.ok) return bound;
      const session = bound.session;
      const last = session.last_text_excerpt ? `\n\nLast from the planner:\n${session.last_text_excerpt}` : "";
      await directory.mirror(session, target, {
        text: `${bold(incoming.userName)} joined this planning session from ${incoming.adapter}.`,
      });
      return {
        ok: true,
        reply: {
          text: `This chat now follows the planning of ${bold(session.slug)} (${phaseLabel(session.phase)}). Messages here go to the planner; its replies reach every chat of the session.${last}`,
        },
      };
    },

    async hasSession(target) {
      const read = await deps.sessions.read();
      return read.ok ? findSessionForChat(read.sessions, target) !== undefined : false;
    },

    async describe(slug) {
      const found = await service.sessionForSlug(slug);
      if (!found.ok) return `Planning state unreadable: ${found.message}`;
      return found.session ? describeSession(found.session) : undefined;
    },

    async sessionForSlug(slug) {
      const read = await deps.sessions.read();
      if (!read.ok) return read;
      return { ok: true, session: findSessionForSlug(read.sessions, slug, true)?.session };
    },

    async chatsForProject(slug) {
      const found = await service.sessionForSlug(slug);
      if (!found.ok)
        deps.log.error(
          { slug, message: found.message },
          "planning sessions unreadable; notifying the configured channels only",
        );
      return found.ok && found.session ? sessionChats(found.session) : [];
    },

    async transcript(slug) {
      const found = await service.sessionForSlug(slug);
      const session = found.ok ? found.session : undefined;
      if (!session) return [];
      // The shape the dashboard's chat reads: {role, text, phase?, at?, adapter?, user?} (the chat record stays on disk).
      const recorded = (await conversations.read(session.planning_session_id).catch(() => [])).map(
        ({ chat: _chat, ...entry }) => entry,
      );
      if (recorded.length || !session.session_started || !session.cwd) return recorded;
      // Planned before planbot kept its own record: the CLI's transcript, if it still exists.
      return readCliTranscript(session.cwd, session.session_id, deps.env);
    },

    async abandon(slug, reason) {
      const read = await deps.sessions.read();
      if (!read.ok) return false;
      const found = findSessionForSlug(read.sessions, slug);
      if (!found) return false;
      const closed = await directory.close(found.key, reason);
      const stoppedTurn = turns.abort(found.key);
      const turnNote = stoppedTurn ? "; its running planner turn was stopped" : "";
      if (closed.ok)
        await directory.mirror(closed.session, undefined, {
          text: `Planning of ${bold(closed.session.slug)} was ended (${escapeMarkup(reason)})${turnNote}.`,
          tone: "error",
        });
      return true;
    },

    shutdown() {
      deferred.stop();
      return turns.abortAll();
    },

    previews() {
      const latest = new Map<string, { at: string; text: string }>();
      for (const session of Object.values(deps.sessions.cached())) {
        const key = session.slug.toLowerCase();
        const excerpt = session.last_text_excerpt ?? "";
        if (!excerpt) continue;
        const known = latest.get(key);
        if (!known || session.updated_at >= known.at) latest.set(key, { at: session.updated_at, text: excerpt });
      }
      return new Map([...latest].map(([slug, value]) => [slug, value.text]));
    },

    async recoverInterrupted() {
      await deferred.schedule();
      const read = await deps.sessions.read();
      if (!read.ok) return 0;
      const stale = Object.entries(read.sessions).filter(
        ([, session]) => session.pending_message && session.pending_message.boot_id !== bootId,
      );
      for (const [key, session] of stale) {
        const pending = session.pending_message!;
        await deps.sessions.mutate((sessions) => {
          const current = sessions[key];
          if (current?.pending_message?.boot_id === pending.boot_id) current.pending_message = null;
          return { ok: true };
        });
        const notice: Reply = {
          text: `planbot restarted while the planner was answering ${bold(pending.user)}'s message in ${bold(session.slug)}: "${escapeMarkup(pending.text.slice(0, 200))}". That message was not answered; send it again to continue.`,
          tone: "error",
        };
        await directory.mirror(session, undefined, notice);
      }
      return stale.length;
    },
  };
  return service;
}

/** A failed start as the dashboard's `planning_start_failed` and the chats read it: the reason, and that the project is pending again. */
function startFailed(slug: string, failure: Failure): Failure {
  return {
    ...failure,
    message: `Could not start planning ${bold(slug)}: ${failure.message} ${bold(slug)} is pending again; ${code(`/plan ${slug}`)} tries again.`,
    details: { ...failure.details, slug, start_failed: true },
  };
}
