import type { ChatTarget, Incoming } from "../chat/incoming.ts";
import { targetOf } from "../chat/incoming.ts";
import { code, errorReply, type Reply } from "../chat/reply.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import type { Logger } from "../log.ts";
import { missingRole } from "./authorize.ts";
import type { ChoiceLedger } from "./choice-ledger.ts";
import { createChoicePresses, type ChoicePresses } from "./choice-press.ts";
import type { BotServices, CommandContext } from "./command-context.ts";
import { usageLine, type CommandRegistry, type CommandSpec } from "./command-registry.ts";
import { compose, type Middleware } from "./compose.ts";
import { failureReply } from "./failure-reply.ts";
import type { Handled, HandleOptions, PlacementHook } from "./handled.ts";
import { commandNameOf, looksLikeCommand, parseCommandLine, type ParseOutcome } from "./parse-command.ts";
import { roleAllows, type Role, type Roles } from "./roles.ts";

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
}

interface Dispatch {
  incoming: Incoming;
  signals: TurnSignals;
  role: Role;
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

const DEFAULT_HINT: Reply = {
  text: "Commands start with /. Send /help to see them, or /plan <slug> to start planning here.",
};

/** Creates the {@link Bot}: parse → authorise → place → run, with logging and a last-resort guard around it. */
export function createBot(deps: BotDeps): Bot {
  const { registry, services, roles, log } = deps;

  const guard: Middleware<Dispatch, Reply[]> = async (context, next) => {
    try {
      return await next();
    } catch (error) {
      log.error(
        { err: error, adapter: context.incoming.adapter, command: context.parsed?.command.name },
        "handler failed",
      );
      return [
        errorReply(
          "Something went wrong on planbot's side; it is logged. Try again, or /status to see where things stand.",
        ),
      ];
    }
  };

  const logBoundary: Middleware<Dispatch, Reply[]> = async (context, next) => {
    const started = performance.now();
    const replies = await next();
    if (context.noSession) return replies;
    log.info(
      {
        adapter: context.incoming.adapter,
        channel: context.incoming.channelId,
        user: context.incoming.userId,
        command: context.parsed?.command.name ?? "answer",
        slug: context.parsed?.args.slug,
        replies: replies.length,
        error: replies.some((r) => r.tone === "error") || undefined,
        ms: Math.round(performance.now() - started),
      },
      "handled",
    );
    return replies;
  };

  // parse, authorize and place hand `next()` on as it is, not from an async function: re-wrapping its
  // promise cost three more microtask hops per step on every command. A throw still reaches the guard.
  const parse: Middleware<Dispatch, Reply[]> = (context, next) => {
    const outcome =
      context.preparsed ?? parseCommandLine(context.incoming.text, registry, { botUsername: deps.botUsername });
    if (outcome.kind === "not_command" || outcome.kind === "other_bot") return Promise.resolve([]);
    if (outcome.kind === "error") return Promise.resolve([failureReply(outcome.failure)]);
    context.parsed = outcome;
    return next();
  };

  const authorize: Middleware<Dispatch, Reply[]> = (context, next) => {
    const { command, flags } = context.parsed!;
    const missing = missingRole(context.role, command, flags);
    return missing ? Promise.resolve([refusal(missing.what, missing.needed, context)]) : next();
  };

  /** A session-starting command asks the adapter where the session lives, and is undone there if it fails. */
  const place: Middleware<Dispatch, Reply[]> = (context, next) => {
    const { command } = context.parsed!;
    return command.opensSession && context.place ? placed(context, next) : next();
  };

  async function placed(context: Dispatch, next: () => Promise<Reply[]>): Promise<Reply[]> {
    const { command, args } = context.parsed!;
    const placement = await context.place!({ name: command.name, slug: args.slug }, context.incoming);
    if (placement.kind === "refused") return [placement.reply];
    if (placement.kind === "here") return next();
    const origin = context.incoming;
    context.incoming = { ...origin, channelId: placement.to.channelId, threadId: placement.to.threadId };
    const replies = await next();
    const failed = replies.some((reply) => reply.tone === "error");
    if (failed && !(await hasSession(context.incoming))) {
      await placement.undo();
      context.incoming = origin;
      return replies;
    }
    context.movedTo = placement.to;
    return replies;
  }

  const runCommand = async (context: Dispatch): Promise<Reply[]> => {
    const { command, args, flags } = context.parsed!;
    const handlerContext: CommandContext = {
      incoming: context.incoming,
      role: context.role,
      command,
      args,
      flags,
      services,
      registry,
      signals: context.signals,
      log,
    };
    const result = await command.handler(handlerContext);
    return Array.isArray(result) ? result : [result];
  };

  const commandChain = compose([guard, logBoundary, parse, authorize, place], runCommand);

  const answerChain = compose<Dispatch, Reply[]>([guard, logBoundary], async (context) => {
    if (!roleAllows(context.role, "member")) {
      // Guests are told no only where a session runs; elsewhere their chatter is none of planbot's business.
      if (services.planning && !context.explicitAnswer && !(await hasSession(context.incoming))) {
        context.noSession = true;
        return [];
      }
      return [refusal("answering the planner", "member", context)];
    }
    if (!services.planning) {
      context.noSession = true;
      return [];
    }
    // The planning service finds the chat's session itself: that is the one look-up per answer.
    const result = await services.planning.answer({ incoming: context.incoming, signals: context.signals });
    if (!result.ok && result.code === "no_active_session" && !result.details) {
      context.noSession = true;
      return [];
    }
    return [result.ok ? result.reply : failureReply(result)];
  });

  async function hasSession(target: Pick<Incoming, "adapter" | "channelId" | "threadId">): Promise<boolean> {
    return services.planning
      ? services.planning.hasSession(targetOf({ ...target, userId: "", userName: "", text: "" }))
      : false;
  }

  const dispatch = (incoming: Incoming, signals: TurnSignals = {}, place?: PlacementHook): Dispatch => ({
    incoming,
    signals,
    role: roles.roleOf(incoming.adapter, incoming.userId),
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
      const context = dispatch(incoming, options.signals, options.place);
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
      return audience === "direct"
        ? { kind: "hint", replies: [options.hint ?? DEFAULT_HINT] }
        : { kind: "ignored", reason: "no planning session in this chat" };
    },
    handleCommand: (incoming, signals) => commandChain(dispatch(incoming, signals)),
    async handleAnswer(incoming, signals) {
      const context = { ...dispatch(incoming, signals), explicitAnswer: true };
      const replies = await answerChain(context);
      return context.noSession && services.planning && roleAllows(context.role, "member")
        ? [
            errorReply(
              `No planning session in this chat. Start one with ${code("/plan <slug>")} or join one with ${code("/continue <slug>")}.`,
            ),
          ]
        : replies;
    },
    hasSession,
    commandFor(text) {
      if (!looksLikeCommand(text)) return undefined;
      const outcome = parseCommandLine(text, registry, { botUsername: deps.botUsername });
      return outcome.kind === "command" ? outcome.command : undefined;
    },
  };
}

function refusal(what: string, needed: "admin" | "member" | "anyone", context: Dispatch): Reply {
  const identity = `${context.incoming.adapter}:${context.incoming.userId}`;
  const list = needed === "admin" ? "PLANBOT_ADMINS" : "PLANBOT_MEMBERS";
  return errorReply(
    `${what} needs the ${needed} role; you are ${context.role === "guest" ? "not on the member or admin list" : `a ${context.role}`}. An admin can add ${code(identity)} to ${list}.`,
  );
}

export { usageLine };
