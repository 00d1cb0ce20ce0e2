import type { Result } from "../projects/result.ts";
import type { StopReason } from "./run-progress.ts";

/** What `/run` and `/cancel` need from the Ralph executor. */
export interface ExecutorPort {
  /** Starts one approved project now; resolves once Ralph is launched (not when it finishes). */
  runNow(slug: string): Promise<Result<{ message: string }>>;
  /**
   * Stops the project's run, if it has one (see `RunStopper` in run-progress.ts): `stopped: false` when
   * nothing ran. Optional while not every executor can stop a run.
   */
  stopRun?(slug: string, reason: StopReason): Promise<Result<{ stopped: boolean }>>;
}
