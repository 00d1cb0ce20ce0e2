import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ProjectLister } from "../projects/project-list.ts";
import type { CommandRegistry, CommandSpec } from "./command-registry.ts";
import type { Incoming } from "../chat/incoming.ts";
import type { Role } from "./roles.ts";
import type { TurnSignals } from "../chat/turn-signals.ts";
import type { PlanningPort } from "../planning/planning-port.ts";
import type { ExecutorPort } from "../execute/executor-port.ts";

/** The services handlers act through; optional ones arrive with their issues and are reported as unavailable until then. */
export interface BotServices {
  lifecycle: Lifecycle;
  lister: ProjectLister;
  clock: Clock;
  planning?: PlanningPort | undefined;
  executor?: ExecutorPort | undefined;
}

/** What a command handler receives: the parsed command, who asked, and the services. */
export interface CommandContext {
  incoming: Incoming;
  role: Role;
  command: CommandSpec;
  args: Record<string, string | undefined>;
  flags: Record<string, string | boolean | undefined>;
  services: BotServices;
  registry: CommandRegistry;
  signals: TurnSignals;
  log: Logger;
}
