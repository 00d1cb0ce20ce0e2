/**
 * The command application's types: a command as declared once (parsing, help, slash commands and menus
 * all come from it) and what its handler receives. Kept in one file because each refers to the other.
 */
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProjectStatus } from "../projects/derive-status.ts";
import type { ProjectLister } from "../projects/project-list.ts";
import type { Reply } from "../chat/reply.ts";
import type { Incoming } from "../chat/incoming.ts";
import type { RequiredRole, Role } from "./roles.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import type { PlanningPort } from "../planning/planning-port.ts";
import type { ExecutorPort } from "../execute/executor-port.ts";
import type { DeliveryPort } from "../deliver/deliver-again.ts";

/** A positional argument of a command. */
export interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
  /** Takes every remaining word (free text such as a description). Only the last argument may. */
  rest?: boolean;
  /** Slug arguments autocomplete from the store where the platform can. */
  kind?: "slug" | "text";
  /**
   * For a slug: the states a project is in when this command is for it (`/unapprove`: approved ones).
   * Suggestions list those projects first; the others still follow, as the command may be meant anyway.
   */
  fits?: readonly ProjectStatus[];
}

/** A `--flag`. */
export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  description: string;
  /** A flag can need more than its command (`/replan --force` is for admins). */
  role?: RequiredRole;
  /** Placeholder shown in the usage line. */
  placeholder?: string;
}

/** One chat command, declared once: parsing, help, slash commands and menus all come from this. */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  summary: string;
  args: ArgumentSpec[];
  flags: FlagSpec[];
  role: RequiredRole;
  /** Planner turns and Ralph runs take long: adapters defer their answer and show a working signal. */
  slow?: boolean;
  /**
   * Starts a planning session in the chat: after parsing and authorising, the core asks the adapter where
   * the session should live (Discord opens a thread of its own for it; see `PlacementHook` in handled.ts).
   */
  opensSession?: boolean;
  handler: (context: CommandContext) => Promise<Reply | Reply[]>;
}

/** The command set, looked up by name or alias. */
export interface CommandRegistry {
  readonly commands: readonly CommandSpec[];
  find(name: string): CommandSpec | undefined;
}

/** The services handlers act through; optional ones arrive with their issues and are reported as unavailable until then. */
export interface BotServices {
  lifecycle: Lifecycle;
  lister: ProjectLister;
  clock: Clock;
  planning?: PlanningPort | undefined;
  executor?: ExecutorPort | undefined;
  /** Delivers a finished run's work again (`/deliver`): push its branch, open or update its pull request. */
  delivery?: DeliveryPort | undefined;
  /** EXECUTE_AT (`HH:MM`): replies promise a scheduled run only when one is set. */
  executeAt?: string | undefined;
  /** PLANBOT_WORKSPACE_DIR: replies name a project's files relative to its workspace, never by absolute path. */
  workspaceDir?: string | undefined;
}

/** What a command handler receives: the parsed command, who asked, and the services. */
export interface CommandContext {
  incoming: Incoming;
  role: Role;
  /** The sender is planbot's server operator (`HandleOptions.operator`): replies may give the operator's fix. */
  operator: boolean;
  command: CommandSpec;
  args: Record<string, string | undefined>;
  flags: Record<string, string | boolean | undefined>;
  services: BotServices;
  registry: CommandRegistry;
  signals: TurnSignals;
  log: Logger;
}
