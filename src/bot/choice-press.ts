import type { Incoming } from "../chat/incoming.ts";
import { code, errorReply, KEEP_TALKING_COMMAND, type Reply } from "../chat/reply.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import { missingRole } from "./authorize.ts";
import type { ChoiceLedger, ChoiceRecord } from "./choice-ledger.ts";
import type { CommandRegistry } from "./command-registry.ts";
import { parseCommandLine } from "./parse-command.ts";
import type { Roles } from "./roles.ts";

/** A pressed button of a choice: its id and the label the person saw. */
export interface PressedChoice {
  id: string;
  label: string;
}

/**
 * What a press of a choice button came to:
 * - `claimed`: this press spent the choice; the adapter marks the message with `chosen`, then `run`s the command;
 * - `spent`: someone chose before; nothing runs, `reply` says who chose what and when, and the adapter marks
 *   this copy of the message with `chosen` too (another chat's copy still showed the buttons);
 * - `refused`: the presser may not run it (or it does not parse); the choice stays open for someone who may.
 */
export type PressOutcome =
  | { kind: "claimed"; chosen: string; record: ChoiceRecord; run(signals?: TurnSignals): Promise<Reply[]> }
  | { kind: "spent"; reply: Reply; chosen: string; record: ChoiceRecord }
  | { kind: "refused"; replies: Reply[] };

/** Handles presses of choice buttons (see `Reply.choice`). */
export interface ChoicePresses {
  /** `incoming.text` is the button's command line. Nothing throws; every outcome is a value. */
  press(incoming: Incoming, choice: PressedChoice, signals?: TurnSignals): Promise<PressOutcome>;
}

/** Dependencies of {@link createChoicePresses}. */
export interface ChoicePressDeps {
  ledger: ChoiceLedger | undefined;
  registry: CommandRegistry;
  roles: Roles;
  clock: Clock;
  log: Logger;
  botUsername?: string | undefined;
  /** Runs a command line as typed text would (the bot's own command chain). */
  runCommand(incoming: Incoming, signals?: TurnSignals): Promise<Reply[]>;
}

const KEEP_TALKING_REPLY: Reply = {
  text: `Go on: answer the planner here. ${code("/next")} moves on when you are ready.`,
};

/**
 * Creates {@link ChoicePresses}. The choice is claimed in the ledger only after the command parsed and the
 * presser's role allows it, so a guest's press cannot spend a choice an admin still has to make; the claim
 * is durable before the command runs, so a crash mid-command never lets the button act twice. A stale
 * press that wins the claim still runs: the command then answers with its own error for the state it finds.
 */
export function createChoicePresses(deps: ChoicePressDeps): ChoicePresses {
  return {
    async press(incoming, choice, signals) {
      const command = incoming.text.trim();
      const keepTalking = command === KEEP_TALKING_COMMAND;
      if (!keepTalking) {
        const parsed = parseCommandLine(command, deps.registry, { botUsername: deps.botUsername });
        const role = deps.roles.roleOf(incoming.adapter, incoming.userId);
        // The command chain words parse errors and refusals the same way typed text gets them.
        if (parsed.kind !== "command" || missingRole(role, parsed.command, parsed.flags))
          return { kind: "refused", replies: await deps.runCommand(incoming, signals) };
      }
      const record: ChoiceRecord = {
        label: choice.label,
        command,
        by: incoming.userName,
        adapter: incoming.adapter,
        user_id: incoming.userId,
        at: deps.clock.now().toISOString(),
      };
      if (!deps.ledger) return claimed(record, incoming, signals);
      const claim = await deps.ledger.claim(choice.id, record);
      if (!claim.ok) {
        deps.log.error(
          { adapter: incoming.adapter, choice: choice.id, code: claim.code, message: claim.message },
          "could not record a choice",
        );
        const typed = keepTalking ? "your answer" : code(command);
        return {
          kind: "refused",
          replies: [errorReply(`planbot could not record this choice (${claim.message}); type ${typed} instead.`)],
        };
      }
      if (!claim.claimed) {
        deps.log.info({ adapter: incoming.adapter, choice: choice.id, command }, "choice already spent");
        return {
          kind: "spent",
          reply: errorReply(`Already chosen: ${describeChoice(claim.record)}.`),
          chosen: `Chosen: ${describeChoice(claim.record)}.`,
          record: claim.record,
        };
      }
      deps.log.info({ adapter: incoming.adapter, choice: choice.id, command, user: incoming.userId }, "choice claimed");
      return claimed(record, incoming, signals);
    },
  };

  function claimed(record: ChoiceRecord, incoming: Incoming, signals: TurnSignals | undefined): PressOutcome {
    return {
      kind: "claimed",
      record,
      chosen: `Chosen: ${describeChoice(record)}.`,
      run: async (late) =>
        record.command === KEEP_TALKING_COMMAND ? [KEEP_TALKING_REPLY] : deps.runCommand(incoming, late ?? signals),
    };
  }
}

/** "Run now, by @alice at 14:02 UTC" — the label, the presser and the minute (UTC: chats span time zones). */
export function describeChoice(record: Pick<ChoiceRecord, "label" | "by" | "at">): string {
  const at = new Date(record.at);
  const time = Number.isFinite(at.getTime()) ? ` at ${at.toISOString().slice(11, 16)} UTC` : "";
  return `${record.label}, by ${record.by}${time}`;
}
