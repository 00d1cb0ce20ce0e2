import type { Result } from "../projects/result.ts";

/** One planner turn: a message into a planner session under a phase's instructions. */
export interface PlannerTurn {
  /** The planner's session id (a UUID): created on the first turn, resumed after. */
  sessionId: string;
  resume: boolean;
  systemPrompt: string;
  message: string;
  /** The project's workspace: the planner reads the code there and nowhere else. */
  cwd: string;
  /** Aborting kills the turn (its whole process group); the turn then fails with reason `aborted`. */
  signal?: AbortSignal | undefined;
}

/** What a successful turn returns. */
export interface PlannerAnswer {
  text: string;
  sessionId: string;
  costUsd: number;
  durationMs: number;
}

/**
 * The planner as a port: the Claude Code CLI in production, anything that honours the same turn in
 * tests or for another model. Every failure is a `planner_failed` result with a message for the user
 * and `details.reason` (see `PlannerFailureReason` in planner-failure.ts).
 */
export interface PlannerBackend {
  run(turn: PlannerTurn): Promise<Result<PlannerAnswer>>;
}

/** Told about every planner process, so leftovers of a killed planbot can be found and stopped. */
export interface PlannerProcessTracker {
  started(pid: number): void;
  ended(pid: number): void;
}
