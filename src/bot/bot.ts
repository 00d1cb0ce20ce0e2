import type { Incoming } from "../chat/incoming.ts";
import { targetOf } from "../chat/incoming.ts";
import { code, errorReply, operatorView, type Reply } from "../chat/reply.ts";
import { hideServerPathsIn, type ServerFolders } from "../chat/server-paths.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import type { Logger } from "../log.ts";
import { createAnswerChain } from "./answer-chain.ts";
import type { ChoiceLedger } from "./choice-ledger.ts";
import { createChoicePresses, type ChoicePresses } from "./choice-press.ts";
import { createCommandChain } from "./command-chain.ts";
import { endedPlanningReply } from "./ended-planning.ts";
import type { BotServices } from "./command-context.ts";
import { usageLine, type CommandRegistry, type CommandSpec } from "./command-registry.ts";
import type { Dispatch } from "./dispatch.ts";
import type { Handled, HandleOptions, PlacementHook } from "./handled.ts";
import { commandNameOf, looksLikeCommand, parseCommandLine } from "./parse-command.ts";
import { roleAllows, type Roles } from "./roles.ts";

export type { Audience, Handled, HandleOptions, Placement, PlacementHook } from "./handled.ts";

/** The adapter-neutral bot: adapters hand it messages and render the replies it returns. */
export interface Bot {
  readonly registry: CommandRegistry;
  /**
   * The one way in: decides whether a message is a command, a planner answer, something to hint at, or
   * nothing for planbot — with one session look-up — and runs it. Every outcome is a value; nothing throws.
   */
  handle(incoming: Incoming, options?: HandleOptions): Promise<Handled>;
  /** Runs a command line (a typed command or a button) as `direct`. Every outcome is a reply; nothing throws. */
  handleCommand(incoming: Incoming, signals?: TurnSignals): Promise<Reply[]>;
  /** Hands plain text to the chat's planning session, for callers that already know it is an answer. */
  handleAnswer(incoming: Incoming, signals?: TurnSignals): Promise<Reply[]>;
  /** Whether a chat has a planning session (for tests and tools; adapters never route with it: `handle` does). */
  hasSession(target: Pick<Incoming, "adapter" | "channelId" | "threadId">): Promise<boolean>;
  /** The command a text names, if any — adapters defer slow ones before running them. */
  commandFor(text: string): CommandSpec | undefined;
  /** A press of a button that belongs to a choice: spent once (src/bot/choice-press.ts). */
  press: ChoicePresses["press"];
}

/** Dependencies of {@link createBot}. */
export interface BotDeps {
  registry: CommandRegistry;
  services: BotServices;
  roles: Roles;
  log: Logger;
  /** The bot's own username, so `/cmd@otherbot` in a group is left alone. */
  botUsername?: string | undefined;
  /** Where pressed choices are recorded; without it every press acts (tests of other things). */
  choices?: ChoiceLedger | undefined;
  /** planbot's folders: no reply shows a path inside them (src/chat/server-paths.ts). */
  serverFolders?: ServerFolders | undefined;
}

const DEFAULT_HINT: Reply = {
  text: "Commands start with /. Send /help to see them, or /plan <slug> to start planning here.",
};

/** The hint for a guest's plain text: who planbot works for, and the id an admin would add. */
function guestHint(incoming: Incoming): Reply {
  const identity = `${incoming.adapter}:${incoming.userId}`;
  return {
    text: `planbot works for the people on its member and admin lists, and you are not on them yet. An admin can add ${code(identity)} to PLANBOT_MEMBERS; ${code("/help")} shows what you can use meanwhile.`,
  };
}

/** Creates the {@link Bot}: parse → authorise → place → run, with logging and a last-resort guard around it. */
export function createBot(deps: BotDeps): Bot {
  const { registry, services, roles, log } = deps;

  async function hasSession(target: Pick<Incoming, "adapter" | "channelId" | "threadId">): Promise<boolean> {
    return services.planning
      ? services.planning.hasSession(targetOf({ ...target, userId: "", userName: "", text: "" }))
      : false;
  }

  // Every reply, a command's, a planner answer's or a pressed button's, leaves through one of these two
  // chains. The server's operator can open planbot's files: their replies keep the paths, and a reply worded
  // for chat members as well (a planner reply every chat of a session shares) gives them the operator's words.
  const hidePaths = (replies: Reply[], reader: { operator: boolean }) => {
    if (reader.operator) return replies.map(operatorView);
    return deps.serverFolders ? replies.map((reply) => hideServerPathsIn(reply, deps.serverFolders!)) : replies;
  };
  const commands = createCommandChain({ registry, services, log, botUsername: deps.botUsername, hasSession });
  const answers = createAnswerChain({ services, log, hasSession });
  const commandChain = async (context: Dispatch) => hidePaths(await commands(context), context);
  const answerChain = async (context: Dispatch) => hidePaths(await answers(context), context);

  const dispatch = (
    incoming: Incoming,
    signals: TurnSignals = {},
    place?: PlacementHook,
    operator = false,
  ): Dispatch => ({
    incoming,
    signals,
    role: roles.roleOf(incoming.adapter, incoming.userId),
    operator,
    place,
  });

  async function runCommandLine(context: Dispatch): Promise<Handled> {
    const replies = await commandChain(context);
    return {
      kind: "command",
      replies,
      command: context.parsed?.command.name,
      slug: context.parsed?.args.slug,
      ...(context.movedTo ? { movedTo: context.movedTo } : {}),
    };
  }

  const presses = createChoicePresses({
    ledger: deps.choices,
    registry,
    roles,
    clock: services.clock,
    log,
    botUsername: deps.botUsername,
    runCommand: (incoming, signals) => commandChain(dispatch(incoming, signals)),
  });

  return {
    registry,
    press: presses.press,
    async handle(incoming, options = {}) {
      const audience = options.audience ?? "direct";
      const context = dispatch(incoming, options.signals, options.place, options.operator === true);
      const name = commandNameOf(incoming.text);
      if (name !== undefined) {
        const outcome = parseCommandLine(incoming.text, registry, { botUsername: deps.botUsername });
        if (outcome.kind === "other_bot") return { kind: "ignored", reason: "a command for another bot" };
        context.preparsed = outcome;
        // An unknown name is the only parse error the registry decides; every other error names a known command.
        const known = outcome.kind === "command" || registry.find(name) !== undefined;
        // An unknown bare /word in a group is probably another bot's, unless this chat is planning with planbot.
        if (!known && audience !== "direct" && (audience === "chatter" || !(await hasSession(incoming))))
          return { kind: "ignored", reason: "an unknown command in a group" };
        return runCommandLine(context);
      }
      if (audience === "chatter") return { kind: "ignored", reason: "group chatter" };
      if (!incoming.text.trim()) return { kind: "ignored", reason: "no text" };
      const replies = await answerChain(context);
      if (!context.noSession) return { kind: "answer", replies };
      if (audience !== "direct") return { kind: "ignored", reason: "no planning session in this chat" };
      // A guest may not plan: pointing them at /plan would only earn a refusal. They need their id for an admin.
      if (context.role === "guest") return { kind: "hint", replies: [guestHint(incoming)] };
      const ended = await endedPlanningReply(services, incoming);
      return { kind: "hint", replies: hidePaths([ended ?? options.hint ?? DEFAULT_HINT], context) };
    },
    handleCommand: (incoming, signals) => commandChain(dispatch(incoming, signals)),
    async handleAnswer(incoming, signals) {
      const context = { ...dispatch(incoming, signals), explicitAnswer: true };
      const replies = await answerChain(context);
      if (!context.noSession || !services.planning || !roleAllows(context.role, "member")) return replies;
      const ended = await endedPlanningReply(services, incoming);
      return hidePaths(
        [
          ended
            ? { ...ended, tone: "error" }
            : errorReply(
                `No planning session in this chat. Start one with ${code("/plan <slug>")} or join one with ${code("/continue <slug>")}.`,
              ),
        ],
        context,
      );
    },
    hasSession,
    commandFor(text) {
      if (!looksLikeCommand(text)) return undefined;
      const outcome = parseCommandLine(text, registry, { botUsername: deps.botUsername });
      return outcome.kind === "command" ? outcome.command : undefined;
    },
  };
}

export { usageLine };
