import type { RunningAdapter } from "../../runtime/adapter-catalog.ts";
import type { Runtime } from "../../runtime/runtime.ts";

/** Starts the dashboard (placeholder until the HTTP adapter lands). */
export async function startDashboardAdapter(_runtime: Runtime): Promise<RunningAdapter> {
  throw new Error("the dashboard adapter is not built yet");
}
