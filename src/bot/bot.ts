import type { Logger } from "../log.ts";
import type { BotServices, CommandContext } from "./command-context.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import { usageLine, type CommandRegistry, type CommandSpec } from "./command-registry.ts";
import { compose, type Middleware } from "./compose.ts";
import { failureReply } from "./failure-reply.ts";
import type { Incoming } from "../chat/incoming.ts";
import { targetOf } from "../chat/incoming.ts";
import { looksLikeCommand, parseCommandLine } from "./parse-command.ts";
import { code, errorReply, type Reply } from "../chat/reply.ts";
import { roleAllows, type Role, type Roles } from "./roles.ts";
import { missingRole } from "./authorize.ts";

/** The adapter-neutral bot: adapters hand it messages and render the replies it returns. */
export interface Bot {
  readonly registry: CommandRegistry;
  /** Runs a command line. Every outcome, errors included, is a reply; nothing throws. */
  handleCommand(incoming: Incoming, signals?: TurnSignals): Promise<Reply[]>;
  /** Hands a plain message to the chat's planning session (the adapter decided it is an answer). */
  handleAnswer(incoming: Incoming, signals?: TurnSignals): Promise<Reply[]>;
  /** Whether this chat has a planning session, for adapters' routing rules. */
  hasSession(incoming: Pick<Incoming, "adapter" | "channelId" | "threadId">): Promise<boolean>;
  /** The command a text names, if any — adapters defer slow ones before running them. */
  commandFor(text: string): CommandSpec | undefined;
}

/** Dependencies of {@link createBot}. */
export interface BotDeps {
  registry: CommandRegistry;
  services: BotServices;
  roles: Roles;
  log: Logger;
  /** The bot's own username, so `/cmd@otherbot` in a group is left alone. */
  botUsername?: string | undefined;
}

interface Dispatch {
  incoming: Incoming;
  signals: TurnSignals;
  role: Role;
  parsed?: { command: CommandSpec; args: Record<string, string | undefined>; flags: Record<string, string | boolean | undefined> };
}

/** Creates the {@link Bot}: parse → authorise → run, with logging and a last-resort guard around it. */
export function createBot(deps: BotDeps): Bot {
  const { registry, services, roles, log } = deps;

  const guard: Middleware<Dispatch, Reply[]> = async (context, next) => {
    try {
      return await next();
    } catch (error) {
      log.error({ err: error, adapter: context.incoming.adapter, command: context.parsed?.command.name }, "handler failed");
      return [errorReply("Something went wrong on planbot's side; it is logged. Try again, or /status to see where things stand.")];
    }
  };

  const logBoundary: Middleware<Dispatch, Reply[]> = async (context, next) => {
    const started = performance.now();
    const replies = await next();
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

  const parse: Middleware<Dispatch, Reply[]> = async (context, next) => {
    const outcome = parseCommandLine(context.incoming.text, registry, { botUsername: deps.botUsername });
    if (outcome.kind === "not_command" || outcome.kind === "other_bot") return [];
    if (outcome.kind === "error") return [failureReply(outcome.failure)];
    context.parsed = outcome;
    return next();
  };

  const authorize: Middleware<Dispatch, Reply[]> = async (context, next) => {
    const { command, flags } = context.parsed!;
    const missing = missingRole(context.role, command, flags);
    return missing ? [refusal(missing.what, missing.needed, context)] : next();
  };

  const runCommand = async (context: Dispatch): Promise<Reply[]> => {
    const { command, args, flags } = context.parsed!;
    const handlerContext: CommandContext = { incoming: context.incoming, role: context.role, command, args, flags, services, registry, signals: context.signals, log };
    const result = await command.handler(handlerContext);
    return Array.isArray(result) ? result : [result];
  };

  const commandChain = compose([guard, logBoundary, parse, authorize], runCommand);

  const answerChain = compose<Dispatch, Reply[]>([guard, logBoundary], async (context) => {
    if (!roleAllows(context.role, "member")) return [refusal("answering the planner", "member", context)];
    if (!services.planning) return [];
    const result = await services.planning.answer({ incoming: context.incoming, signals: context.signals });
    return [result.ok ? result.reply : failureReply(result)];
  });

  const dispatch = (incoming: Incoming, signals: TurnSignals = {}): Dispatch => ({ incoming, signals, role: roles.roleOf(incoming.adapter, incoming.userId) });

  return {
    registry,
    handleCommand: (incoming, signals) => commandChain(dispatch(incoming, signals)),
    handleAnswer: (incoming, signals) => answerChain(dispatch(incoming, signals)),
    async hasSession(incoming) {
      return services.planning ? services.planning.hasSession(targetOf({ ...incoming, userId: "", userName: "", text: "" })) : false;
    },
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
  return errorReply(`${what} needs the ${needed} role; you are ${context.role === "guest" ? "not on the member or admin list" : `a ${context.role}`}. An admin can add ${code(identity)} to ${list}.`);
}

export { usageLine };
