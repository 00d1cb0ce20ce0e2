import type { RunningAdapter } from "../../runtime/adapter-catalog.ts";
import type { Runtime } from "../../runtime/runtime.ts";

/** Starts the Discord adapter (placeholder until the adapter lands). */
export async function startDiscordAdapter(_runtime: Runtime): Promise<RunningAdapter> {
  throw new Error("the discord adapter is not built yet");
}
