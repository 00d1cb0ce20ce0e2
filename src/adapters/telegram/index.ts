import type { RunningAdapter } from "../../runtime/adapter-catalog.ts";
import type { Runtime } from "../../runtime/runtime.ts";

/** Starts the Telegram adapter (placeholder until the adapter lands). */
export async function startTelegramAdapter(_runtime: Runtime): Promise<RunningAdapter> {
  throw new Error("the telegram adapter is not built yet");
}
