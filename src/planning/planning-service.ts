import { randomUUID } from "node:crypto";
import type { Outbound } from "../chat/outbound.ts";
import { createReliableSender, type ReliableSender } from "../chat/reliable-send.ts";
import { bold } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { advancePhase } from "./advance-phase.ts";
import { answerPlanner } from "./answer-planner.ts";
import { approveSession } from "./approve-session.ts";
import { createConversationLog, type ConversationLog } from "./conversation-log.ts";
import { createDeferredTurns } from "./deferred-turns.ts";
import { abandonSession, stopSession } from "./end-session.ts";
import { recoverInterruptedTurns } from "./interrupted-turns.ts";
import { joinSession } from "./join-session.ts";
import { createKeyedQueue } from "./keyed-queue.ts";
import type { PlannerBackend } from "./planner-backend.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningPort } from "./planning-port.ts";
import { createSessionDirectory } from "./session-directory.ts";
import { createSessionFinalizer } from "./session-finalizer.ts";
import { createSessionQueries, type SessionQueries } from "./session-queries.ts";
import type { SessionStore } from "./session-store.ts";
import { startPlanning } from "./start-planning.ts";
import { createTurnEvents, type TurnEvent } from "./turn-events.ts";
import { createTurnRunner } from "./turn-runner.ts";

/** Dependencies of {@link createPlanningService}. */
export interface PlanningDeps {
  sessions: SessionStore;
  store: ProjectStore;
  lifecycle: Lifecycle;
  planner: PlannerBackend;
  outbound: Outbound;
  /** Mirrored replies go out through it (default: one of its own over `outbound`, stopped by `shutdown()`). */
  delivery?: ReliableSender;
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
export interface PlanningService extends PlanningPort, SessionQueries {
  /** Stops every running planner turn (SIGTERM of planbot); resolves once they have all ended. */
  shutdown(): Promise<void>;
  /** Tells the chats of turns that died with an earlier process and schedules messages kept for a usage limit; call once adapters are up. */
  recoverInterrupted(): Promise<number>;
  /** Calls `listener` as any chat's planner turn starts and ends (the dashboard shows them live); returns the way to stop. */
  onTurn(listener: (event: TurnEvent) => void): () => void;
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
  const turnEvents = createTurnEvents((error) => deps.log.error({ err: error }, "a planner turn listener failed"));
  const delivery = deps.delivery ?? createReliableSender({ outbound: deps.outbound, log: deps.log });
  const turns = createTurnRunner({
    sessions: deps.sessions,
    planner: plannerAfterSweep(deps),
    conversations,
    clock: deps.clock,
    log: deps.log,
    bootId,
    newId,
    onDeferred: () => deferred.schedule(),
    onTurn: (event) => turnEvents.tell(event),
    onReseeded: (session) =>
      directory.mirror(session, undefined, {
        text: `The planner lost its earlier conversation about ${bold(session.slug)} (its transcript was deleted or moved). planbot started a new planner session from its own record of the conversation and carried on.`,
      }),
  });
  const directory = createSessionDirectory({
    sessions: deps.sessions,
    delivery,
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

  const parts: PlanningParts = {
    sessions: deps.sessions,
    lifecycle: deps.lifecycle,
    directory,
    turns,
    finalizer,
    deferred,
    queue,
    conversations,
    clock: deps.clock,
    log: deps.log,
    workspaceDir: deps.workspaceDir,
    gitRemoteBase: deps.gitRemoteBase,
    executeAt: deps.executeAt,
    env: deps.env,
    bootId,
    newId,
  };
  return {
    ...createSessionQueries(parts),
    start: (request) => startPlanning(parts, request),
    answer: (request) => answerPlanner(parts, request),
    next: (request) => advancePhase(parts, request),
    done: (request) => approveSession(parts, request),
    stop: (request) => stopSession(parts, request),
    continueIn: (request) => joinSession(parts, request),
    abandon: (slug, reason, except) => abandonSession(parts, slug, reason, except),
    recoverInterrupted: () => recoverInterruptedTurns(parts),
    onTurn: (listener) => turnEvents.subscribe(listener),

    async shutdown() {
      deferred.stop();
      await turns.abortAll();
      // A shared sender is stopped by whoever made it (the runtime); our own one, here.
      if (!deps.delivery) await delivery.stop();
    },
  };
}

/**
 * The planner, held back until the planner processes a killed planbot left running are stopped: a
 * resumed turn must not race a leftover one over the same conversation.
 */
function plannerAfterSweep(deps: Pick<PlanningDeps, "planner" | "log" | "sweepLeftovers">): PlannerBackend {
  const swept = (deps.sweepLeftovers?.() ?? Promise.resolve(0)).then(
    (count) => {
      if (count) deps.log.warn({ count }, "stopped planner processes left running by a previous planbot");
    },
    (error: unknown) => deps.log.error({ err: error }, "could not stop leftover planner processes"),
  );
  return { run: async (turn) => (await swept, deps.planner.run(turn)) };
}
