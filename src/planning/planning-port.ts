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
}
