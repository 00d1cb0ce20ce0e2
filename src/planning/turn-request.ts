import type { TurnSignals } from "../chat/turn-signals.ts";
import type { PromptName } from "./prompt-library.ts";
import type { BoundChat, PlanningSession } from "./session-store.ts";

/** One planner turn as the service asks for it. */
export interface TurnRequest {
  key: string;
  prompt: PromptName;
  /** What the planner receives (member text already delimited, see member-message.ts). */
  message: string;
  /** What the conversation record shows as the user's message: their text, or the command they gave. */
  shown: string;
  /** Who sent it and from where (recorded as the pending message and in the conversation record). */
  user: string;
  chat: BoundChat;
  signals?: TurnSignals | undefined;
  promptValues?: Record<string, string>;
}

/** A finished turn: the reply without the ready marker, and the session as stored afterwards. */
export interface TurnOutcome {
  text: string;
  ready: boolean;
  session: PlanningSession;
  /** A message of an earlier process that never got its answer (the user should resend it). */
  interrupted?: { text: string; user: string } | undefined;
  /** Set when the planner's session was lost and a new one was seeded from planbot's record. */
  reseeded?: boolean | undefined;
}
