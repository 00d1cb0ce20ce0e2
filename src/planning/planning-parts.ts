import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import type { ConversationLog } from "./conversation-log.ts";
import type { DeferredTurns } from "./deferred-turns.ts";
import type { KeyedQueue } from "./keyed-queue.ts";
import type { SessionDirectory } from "./session-directory.ts";
import type { SessionFinalizer } from "./session-finalizer.ts";
import type { SessionStore } from "./session-store.ts";
import type { TurnRunner } from "./turn-runner.ts";

/**
 * The collaborators the planning service wires once and its commands share. Each command file takes a
 * `Pick` of it, so what a command can touch is named at its door.
 */
export interface PlanningParts {
  sessions: SessionStore;
  lifecycle: Lifecycle;
  directory: SessionDirectory;
  turns: TurnRunner;
  finalizer: SessionFinalizer;
  deferred: DeferredTurns;
  /** The per-session queue: turns of one session run one at a time in arrival order. */
  queue: KeyedQueue;
  conversations: ConversationLog;
  clock: Clock;
  log: Logger;
  workspaceDir: string;
  /** GIT_REMOTE_BASE: planning reads a checkout of the project's repository when set. */
  gitRemoteBase: string | undefined;
  /** EXECUTE_AT: replies promise a scheduled run only when one is set. */
  executeAt: string | undefined;
  env: NodeJS.ProcessEnv | undefined;
  /** This process's turns carry it, so a restart can tell a dead turn from a running one. */
  bootId: string;
  newId: () => string;
}
