import type { Bot } from "../bot/bot.ts";
import type { Outbound } from "../chat/outbound.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { ProgressHub } from "../execute/progress-hub.ts";
import type { DeliveryPort } from "../deliver/deliver-again.ts";
import type { ExecutorPort } from "../execute/executor-port.ts";
import type { PlanningService } from "../planning/planning-service.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { CoreServices } from "../projects/core-services.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { AdapterStatusBoard } from "./adapter-status.ts";

/**
 * The adapter contract (docs/architecture.md, "Adapters").
 *
 * An adapter connects one platform to planbot and does two things only:
 * 1. **In:** it turns a platform event into an `Incoming` (adapter name, chat, topic, user, text) plus an
 *    `Audience` (direct, shared or chatter — a fact about the platform, e.g. a private chat or a mention)
 *    and calls `host.bot.handle(incoming, { audience, signals, place? })` — the one way in. The core decides
 *    whether it is a command, a planner answer, a hint or nothing, and returns the replies. A surface whose
 *    every user is on the server as the owner of planbot's data folder — the terminal, and only it — also
 *    declares `operator: true` there and on its Outbound: it then reads the operator's advice for problems
 *    only the operator can fix, and planbot's absolute paths (docs/architecture.md, "The adapter contract").
 * 2. **Out:** it renders neutral `Reply` values for its platform — chunks within the platform's limit,
 *    buttons on the last chunk, errors ephemeral where the platform can — in the asking chat, and it
 *    registers an `Outbound` for chats nobody is talking in (mirrored planner replies, notifications).
 *    Outbound never throws: a 429 is `rate_limited` with `details.retryAfterMs`, a chat that is gone or
 *    closed to the bot is `send_failed` with `details.permanent: true`, anything else retryable.
 *
 * It never parses commands, checks roles or looks up planning sessions itself. Where the platform wants
 * a say in where a session lives (Discord opens a thread for `/plan`), it passes a `place` hook, which the
 * core calls after parsing and authorising. Shared pieces — a keyed queue per chat, an in-flight tracker
 * for a bounded stop, a typing indicator — are in `src/adapters/kit/`.
 *
 * `start` resolves once the platform is connected and rejects if it cannot be (the runtime then retries
 * with backoff while the other adapters run); `stop` stops taking messages, lets running handlers finish
 * within a grace period, unregisters the Outbound and closes connections.
 */
export interface RunningAdapter {
  stop(): Promise<void>;
}

/** The bot as adapters see it: the one entry, the command list (for menus and slash commands). */
export type AdapterBot = Pick<Bot, "handle" | "registry" | "commandFor" | "press">;

/** Registering an adapter's {@link Outbound} under its name (`discord`, `telegram`, …). */
export interface OutboundRegistry {
  register(adapter: string, outbound: Outbound): void;
  unregister(adapter: string): void;
}

/** A read-only view of the projects, for suggestions (Discord's slug autocomplete); no I/O when the watcher runs. */
export interface ProjectSnapshot {
  /** The current projects, or undefined when they cannot be read. */
  projects(): Promise<readonly ProjectRecord[] | undefined>;
}

/** What a chat adapter may reach: nothing else of the running planbot. */
export interface AdapterHost {
  /** The settings it reads: its own token and URLs, DATA_DIR for state it keeps. */
  config: Readonly<Config>;
  bot: AdapterBot;
  outbound: OutboundRegistry;
  projects: ProjectSnapshot;
  log: Logger;
}

/**
 * The dashboard's host: it is an adapter (a chat per project, an Outbound), and it also serves the project
 * API of echo-core's dashboard, so it needs the store, lifecycle, planning and the watcher.
 */
export interface DashboardHost extends AdapterHost {
  /** How each adapter of this planbot is doing (running, retrying an unreachable platform, disabled), for the page. */
  adapterStatus: Pick<AdapterStatusBoard, "all">;
  core: CoreServices;
  planning: PlanningService;
  /** Starting a run from the page, as `/run` does. */
  executor: ExecutorPort;
  /** Delivering a finished run again from the page, as `/deliver` does (absent: not offered). */
  services?: { delivery?: DeliveryPort | undefined };
  watcher: ChangeWatcher;
  /** Live run progress, pushed to the page as `progress` events (README, "Live progress"). */
  live?: { hub: Pick<ProgressHub, "subscribe"> };
}

/** One adapter `planbot start` can run; loaded only when enabled, so unused platform libraries never load. */
export interface AdapterDefinition<H extends AdapterHost = AdapterHost> {
  name: string;
  /** undefined when enabled; otherwise what enables it (shown in the start-up line). */
  disabledBecause(config: Config): string | undefined;
  start(host: H): Promise<RunningAdapter>;
}
