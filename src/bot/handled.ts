import type { ChatTarget, Incoming } from "../chat/incoming.ts";
import type { Reply } from "../chat/reply.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";

/**
 * Who a message was said to, as the adapter saw it on its platform:
 * - `direct`: to the bot — a private chat, a mention, a reply to the bot, a button, the terminal. Plain
 *   text without a planning session gets a hint; an unknown command gets the core's help.
 * - `shared`: a channel, thread or forum topic people share. Plain text is a planner answer only where a
 *   session runs; an unknown bare `/word` is left for other bots unless a session runs here.
 * - `chatter`: group talk that is never an answer (a Telegram group outside topics and replies); only
 *   known commands are taken.
 */
export type Audience = "direct" | "shared" | "chatter";

/** Where a session-starting command runs, as the adapter's placement hook decided. */
export type Placement =
  /** In the chat it was sent in. */
  | { kind: "here" }
  /** In another chat the adapter opened for it (a Discord thread); `undo` removes it if the command fails. */
  | { kind: "moved"; to: ChatTarget; undo(): Promise<void> }
  /** Not at all: the adapter could not place it (e.g. no permission to open a thread). */
  | { kind: "refused"; reply: Reply };

/** Called by the core after a command that opens a session parsed and was authorised, before it runs. */
export type PlacementHook = (
  command: { name: string; slug: string | undefined },
  incoming: Incoming,
) => Promise<Placement>;

/** How an adapter hands a message to {@link Bot.handle}. */
export interface HandleOptions {
  signals?: TurnSignals | undefined;
  /** Default `direct`. */
  audience?: Audience | undefined;
  /** Where session-starting commands run; without it they run where they were sent. */
  place?: PlacementHook | undefined;
  /** The adapter's wording of the "commands start with /" hint (default: the core's). */
  hint?: Reply | undefined;
  /**
   * The sender is planbot's server operator: whoever can type here is on the server as the user that owns
   * planbot's data folder (the terminal, through its 0600 socket or as planbot itself). Such a reader can
   * fix what only the operator can (`details.operator`), so failures keep the operator's advice, and can
   * open planbot's files, so replies keep their absolute paths (docs/architecture.md, "The adapter
   * contract"). A fact of the connection a line came in on, like `audience`, so it is declared on each
   * call: the core never infers it from an adapter's name, and a surface that cannot vouch for it (a chat
   * platform, the dashboard's token) leaves it out.
   */
  operator?: boolean | undefined;
}

/** What the core made of a message; every kind but `ignored` carries the replies to render in the asking chat. */
export type Handled =
  | {
      kind: "command";
      replies: Reply[];
      command?: string | undefined;
      slug?: string | undefined;
      movedTo?: ChatTarget | undefined;
    }
  | { kind: "answer"; replies: Reply[] }
  | { kind: "hint"; replies: Reply[] }
  | { kind: "ignored"; reason: string };
