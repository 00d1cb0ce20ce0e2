import type { ChatTarget, Incoming } from "../chat/incoming.ts";
import { code, errorReply, type Reply } from "../chat/reply.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import type { CommandSpec } from "./command-registry.ts";
import type { ParseOutcome } from "./parse-command.ts";
import type { PlacementHook } from "./handled.ts";
import type { Role } from "./roles.ts";

/** One message on its way through the bot's chains: what came in, who sent it, and what each step found. */
export interface Dispatch {
  incoming: Incoming;
  signals: TurnSignals;
  role: Role;
  /** The sender is planbot's server operator (`HandleOptions.operator`): operator advice, absolute paths. */
  operator: boolean;
  place?: PlacementHook | undefined;
  parsed?: {
    command: CommandSpec;
    args: Record<string, string | undefined>;
    flags: Record<string, string | boolean | undefined>;
  };
  /** The line as `handle` already read it, so the parse step does not read it a second time. */
  preparsed?: ParseOutcome;
  movedTo?: ChatTarget | undefined;
  /** Set by the answer step when the chat has no session, so the caller can hint or ignore. */
  noSession?: boolean;
  /** The caller already decided the text is an answer (`handleAnswer`): a guest is refused without a look-up. */
  explicitAnswer?: boolean;
}

/** Whether a chat has a planning session (false when planning is off). */
export type SessionCheck = (target: Pick<Incoming, "adapter" | "channelId" | "threadId">) => Promise<boolean>;

/** A refusal naming the role needed, the sender's own, and the identity an admin would add to which list. */
export function refusal(what: string, needed: "admin" | "member" | "anyone", context: Dispatch): Reply {
  const identity = `${context.incoming.adapter}:${context.incoming.userId}`;
  const list = needed === "admin" ? "PLANBOT_ADMINS" : "PLANBOT_MEMBERS";
  return errorReply(
    `${what} needs the ${needed} role; you are ${context.role === "guest" ? "not on the member or admin list" : `a ${context.role}`}. An admin can add ${code(identity)} to ${list}.`,
  );
}
