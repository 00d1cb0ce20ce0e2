import type { Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import { missingRole } from "./authorize.ts";
import { guardStep, logStep } from "./boundary-steps.ts";
import type { BotServices, CommandContext } from "./command-context.ts";
import type { CommandRegistry } from "./command-registry.ts";
import { compose, type Middleware } from "./compose.ts";
import { refusal, type Dispatch, type SessionCheck } from "./dispatch.ts";
import { failureReply } from "./failure-reply.ts";
import { parseCommandLine } from "./parse-command.ts";

/** What {@link createCommandChain} needs. */
export interface CommandChainDeps {
  registry: CommandRegistry;
  services: BotServices;
  log: Logger;
  botUsername?: string | undefined;
  hasSession: SessionCheck;
}

/**
 * The chain a command line runs through: guard → log → parse → authorise → place → the command's
 * handler. Every outcome is a list of replies.
 */
export function createCommandChain(deps: CommandChainDeps): (context: Dispatch) => Promise<Reply[]> {
  const { registry, services, log } = deps;

  // parse, authorize and place hand `next()` on as it is, not from an async function: re-wrapping its
  // promise cost three more microtask hops per step on every command. A throw still reaches the guard.
  const parse: Middleware<Dispatch, Reply[]> = (context, next) => {
    const outcome =
      context.preparsed ?? parseCommandLine(context.incoming.text, registry, { botUsername: deps.botUsername });
    if (outcome.kind === "not_command" || outcome.kind === "other_bot") return Promise.resolve([]);
    if (outcome.kind === "error") return Promise.resolve([failureReply(outcome.failure, context)]);
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
    if (failed && !(await deps.hasSession(context.incoming))) {
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
      operator: context.operator,
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

  return compose([guardStep(log), logStep(log), parse, authorize, place], runCommand);
}
