import type { Result } from "../projects/result.ts";

/** What `/run` needs from the Ralph executor. */
export interface ExecutorPort {
  /** Starts one approved project now; resolves once Ralph is launched (not when it finishes). */
  runNow(slug: string): Promise<Result<{ message: string }>>;
}
