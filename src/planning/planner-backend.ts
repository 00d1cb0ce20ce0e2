import type { Result } from "../projects/result.ts";

/** One planner turn: a message into a planner session under a phase's instructions. */
export interface PlannerTurn {
  /** The planner's session id: created on the first turn, resumed after. */
  sessionId: string;
  resume: boolean;
  systemPrompt: string;
  message: string;
  cwd: string;
  /** Stops the turn early (the asker cancelled it): the planner process is killed, the turn fails as `cancelled`. */
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
 * and `details.reason` (`missing`, `timeout`, `exit`, `unparsable`, `is_error`, `subtype`).
 */
export interface PlannerBackend {
  run(turn: PlannerTurn): Promise<Result<PlannerAnswer>>;
}
