import type { ThreadChannel, User } from "discord.js";
import { parseCommandLine } from "../../bot/parse-command.ts";
import type { Reply } from "../../chat/reply.ts";
import { ADAPTER, incomingFrom, type DiscordContext } from "./context.ts";
import { discardThread, placeSessionStart } from "./planning-thread.ts";

/** A command line from Discord: typed text, a slash command rebuilt as text, or a button's custom_id. */
export interface CommandRun {
  user: User;
  /** The channel (or thread, or DM) it was sent in. */
  channelId: string;
  text: string;
  /** The user's message, for typed commands. */
  replyTo?: string | undefined;
}

/** What a command produced and where: `thread` is set when it opened a planning thread and ran there. */
export interface CommandOutcome {
  replies: Reply[];
  thread?: ThreadChannel | undefined;
  /** For logs: the command's name and slug argument, when it parsed. */
  command?: string | undefined;
  slug?: string | undefined;
}

/** How {@link runCommand} runs: whether to wait in the channel's queue, and a hook around the core call. */
export interface RunOptions {
  /** Serialise behind earlier work in the channel (typed messages always; slow interactions). */
  queue: boolean;
  /** Wraps the core call, e.g. to defer an interaction that takes longer than expected. */
  guard?: (work: Promise<Reply[]>) => Promise<Reply[]>;
  /** More channels to show typing in (the channel a text `/plan` came from, besides its new thread). */
  alsoTypingIn?: string[];
}

/**
 * Runs one command through the core exactly as typed text would (same parser, validation and roles),
 * then hands the outcome to `deliver` inside the same queue slot, so replies in a channel come out in
 * the order the messages came in. `/plan` and `/replan` in a guild text channel first open a thread and
 * run with the thread as the chat, so the planning session belongs to the thread; if the command fails
 * before a session exists, the thread is removed again and the error goes back to the asker.
 */
export async function runCommand(ctx: DiscordContext, run: CommandRun, deliver: (outcome: CommandOutcome) => Promise<void>, options: RunOptions): Promise<void> {
  const parsed = parseCommandLine(run.text, ctx.runtime.bot.registry);
  const command = parsed.kind === "command" ? parsed.command.name : undefined;
  const slug = parsed.kind === "command" ? parsed.args.slug : undefined;

  const execute = async (channelId: string, typingIn: string[]): Promise<Reply[]> => {
    const typing = ctx.typing.session(typingIn);
    try {
      const work = ctx.runtime.bot.handleCommand(incomingFrom(run.user, channelId, run.text, run.replyTo), typing.signals);
      return await (options.guard ? options.guard(work) : work);
    } finally {
      typing.done();
    }
  };

  const inThread = (thread: ThreadChannel) => async () => {
    const replies = await execute(thread.id, [thread.id, ...(options.alsoTypingIn ?? [])]);
    const failed = replies.some((reply) => reply.tone === "error");
    if (failed && !(await ctx.runtime.bot.hasSession({ adapter: ADAPTER, channelId: thread.id }))) {
      await discardThread(ctx, thread);
      return deliver({ replies, command, slug });
    }
    return deliver({ replies, thread, command, slug });
  };

  // Runs in the origin channel's slot. A new thread gets a queue of its own (answers typed there wait for
  // the first planner turn), and the origin channel is released as soon as the thread exists.
  // The thread's work is returned boxed: an async function returning a bare promise would wait for it.
  const inOrigin = async (): Promise<{ threadWork?: Promise<void> }> => {
    const placement = await placeSessionStart(ctx, parsed, run.channelId, run.user.id);
    if (placement.kind === "refused") {
      await deliver({ replies: [placement.reply], command, slug });
      return {};
    }
    if (placement.kind === "thread") return { threadWork: ctx.queues.run(placement.thread.id, inThread(placement.thread)) };
    await deliver({ replies: await execute(run.channelId, [run.channelId]), command, slug });
    return {};
  };

  const { threadWork } = options.queue ? await ctx.queues.run(run.channelId, inOrigin) : await inOrigin();
  if (threadWork) await threadWork;
}
