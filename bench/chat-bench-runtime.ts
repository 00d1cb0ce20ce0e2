/**
 * The planbot side of the chat round-trip benches (Discord, Telegram): a runtime over a data dir in `root`
 * with the platform's variables, three proposed projects for `/status` to list, and the change watcher
 * started before any adapter, as `planbot start` (and a standalone `planbot chat`) does — `/status` is
 * served from the state the watcher keeps.
 */
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { startWatcher } from "../src/runtime/background.ts";
import { createRuntime, type Runtime } from "../src/runtime/runtime.ts";
import type { BenchResult, LatencyStats } from "./bench-result.ts";

/** Loads the config from `env` (plus PLANBOT_DATA_DIR under `root`), creates the runtime and seeds it. */
export async function startChatBenchRuntime(root: string, env: Record<string, string>): Promise<Runtime> {
  const loaded = loadConfig({ PLANBOT_DATA_DIR: join(root, "data"), ...env }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger);
  for (const slug of ["alpha", "beta", "gamma"])
    await runtime.core.lifecycle.propose({ slug, description: `Bench project ${slug}` });
  await startWatcher(runtime);
  return runtime;
}

/** The goal line of a chat bench: planbot's p50 against the bare library bot's, goal ≤ 1.2. */
export function planbotVsBareLine(platform: string, planbot: LatencyStats, bare: LatencyStats): BenchResult {
  const ratio = planbot.p50 / bare.p50;
  return {
    name: `${platform}: planbot vs bare, p50`,
    figures: { planbot_p50_ms: planbot.p50, bare_p50_ms: bare.p50 },
    ratio: { value: ratio, goal: "≤ 1.2", met: ratio <= 1.2 },
  };
}
