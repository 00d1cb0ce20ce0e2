import type { ThreadChannel, User } from "discord.js";
import type { Audience, PlacementHook } from "../../bot/handled.ts";
import type { Reply } from "../../chat/reply.ts";
import type { TurnSignals } from "../../chat/turn-signals.ts";
import { ADAPTER, incomingFrom, type DiscordContext } from "./context.ts";
import { discardThread, placeSessionStart } from "./planning-thread.ts";

/** A line from Discord: typed text, a slash command rebuilt as text, or a button's custom_id. */
export interface LineRun {
  user: User;
  /** The channel (or thread, or DM) it was sent in. */
  channelId: string;
  text: string;
  audience: Audience;
  /** The user's message, for typed lines. */
  replyTo?: string | undefined;
  hint?: Reply | undefined;
}

/** What the core made of a line and where: `thread` is set when a command opened a planning thread and ran there. */
export interface LineOutcome {
  replies: Reply[];
  thread?: ThreadChannel | undefined;
  /** For logs: the command's name and slug argument, when it parsed. */
  command?: string | undefined;
  slug?: string | undefined;
}

/** How {@link runLine} runs: whether to wait in the channel's queue, and a hook around the core call. */
export interface RunOptions {
  /** Serialise behind earlier work in the channel (typed messages always; slow interactions). */
  queue: boolean;
  /** The channel's queue to wait in (default the channel's own; a quick command's lane: src/adapters/kit/quick-lanes.ts). */
  lane?: string;
  /** Wraps the core call, e.g. to defer an interaction that takes longer than expected. */
  guard?: <T>(work: Promise<T>) => Promise<T>;
  /** More channels to show typing in once a planning thread opens (the channel a text `/plan` came from). */
  alsoTypingIn?: string[];
}

/**
 * Hands one line to the core's single entry and delivers what comes back inside the same queue slot, so
 * replies in a channel come out in the order the messages came in. The core asks where a session-starting
 * command runs (the `place` hook): in a guild text channel a thread opens and the origin channel is
 * released at once, while the thread's own queue holds answers typed there until the first reply is out.
 * If the command fails before a session exists, the core undoes the placement and the error goes back here.
 */
export async function runLine(
  ctx: DiscordContext,
  run: LineRun,
  deliver: (outcome: LineOutcome) => Promise<void>,
  options: RunOptions,
): Promise<void> {
  let typing = ctx.typing.session([run.channelId]);
  const signals: TurnSignals = { working: (on) => typing.signals.working?.(on) };
  let thread: ThreadChannel | undefined;
  let placed!: () => void;
  const threadOpened = new Promise<void>((resolve) => {
    placed = resolve;
  });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const place: PlacementHook = async (command) => {
    const placement = await placeSessionStart(ctx, command.slug, command.name, run.channelId);
    if (placement.kind !== "thread") return placement;
    const opened = placement.thread;
    thread = opened;
    typing.done();
    typing = ctx.typing.session([opened.id, ...(options.alsoTypingIn ?? [])]);
    void ctx.queues.run(opened.id, () => finished);
    placed();
    return { kind: "moved", to: { adapter: ADAPTER, channelId: opened.id }, undo: () => discardThread(ctx, opened) };
  };

  const work = async (): Promise<void> => {
    try {
      const call = ctx.host.bot.handle(incomingFrom(run.user, run.channelId, run.text, run.replyTo), {
        audience: run.audience,
        signals,
        place,
        hint: run.hint,
      });
      const handled = await (options.guard ? options.guard(call) : call);
      typing.done();
      if (handled.kind === "ignored") return deliver({ replies: [] });
      const command = handled.kind === "command" ? handled.command : handled.kind;
      const slug = handled.kind === "command" ? handled.slug : undefined;
      const movedTo = handled.kind === "command" ? handled.movedTo : undefined;
      await deliver({ replies: handled.replies, thread: movedTo ? thread : undefined, command, slug });
    } finally {
      typing.done();
      finish();
    }
  };

  if (!options.queue) return work();
  const running = { done: undefined as Promise<void> | undefined };
  // The origin channel's slot is held until the line is done, or only until its planning thread exists.
  await ctx.queues.run(options.lane ?? run.channelId, () => {
    running.done = work();
    return Promise.race([running.done, threadOpened]);
  });
  await running.done;
}
