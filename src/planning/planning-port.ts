import type { Result } from "../projects/result.ts";
import type { ChatTarget, Incoming } from "../chat/incoming.ts";
import type { Reply } from "../chat/reply.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";

/** Who asked, and where: every planning call needs the chat it came from. */
export interface PlanningRequest {
  incoming: Incoming;
  signals?: TurnSignals | undefined;
}

/**
 * What the chat commands need from planning. The planning service implements it; the bot only renders
 * its replies. Each method answers the asking chat with its result; replies for the other chats bound
 * to the session travel through the Outbound port.
 */
export interface PlanningPort {
  start(
    request: PlanningRequest & { slug: string; description?: string | undefined; force: boolean },
  ): Promise<Result<{ reply: Reply }>>;
  answer(request: PlanningRequest): Promise<Result<{ reply: Reply }>>;
  next(request: PlanningRequest): Promise<Result<{ reply: Reply }>>;
  done(request: PlanningRequest): Promise<Result<{ reply: Reply }>>;
  stop(request: PlanningRequest): Promise<Result<{ reply: Reply }>>;
  continueIn(request: PlanningRequest & { slug: string }): Promise<Result<{ reply: Reply }>>;
  /** Whether this chat has a planning session (adapters route plain messages with it). */
  hasSession(target: ChatTarget): Promise<boolean>;
  /** A short planning summary for `/status slug`, when a session exists for the slug. */
  describe(slug: string): Promise<string | undefined>;
  /**
   * Ends a slug's open planning session from outside its conversation (`/cancel`, a project that left
   * `planning`): a running planner turn is stopped and its answer never delivered; the session's chats but
   * `except` hear `reason`.
   */
  abandon(slug: string, reason: string, except?: ChatTarget): Promise<AbandonedSession>;
  /**
   * The planning this chat took part in last, when it has ended other than by approval (or a first turn that
   * failed) and the chat has no session now: plain text there reaches no planner, and the chat is told why.
   */
  endedIn(target: ChatTarget): Promise<EndedPlanning | undefined>;
}

/** A chat's ended planning: the project and why it ended (`closed_reason`). */
export interface EndedPlanning {
  slug: string;
  reason: string;
}

/** What {@link PlanningPort.abandon} ended: an open session (`ended`), and with it a running planner turn. */
export interface AbandonedSession {
  ended: boolean;
  turnStopped: boolean;
}
