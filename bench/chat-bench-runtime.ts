/**
 * The planbot side of the chat round-trip benches (Discord, Telegram): a runtime over a data dir in `root`
 * with the platform's variables, three proposed projects for `/status` to list, and the change watcher
 * started before any adapter, as `planbot start` (and a standalone `planbot chat`) does — `/status` is
 * served from the state the watcher keeps.
 */
import diagnostics from "node:diagnostics_channel";
import { join } from "node:path";
import type { Runtime } from "../src/runtime/runtime.ts";
import { latencyLine, latencyStats, percentile, type BenchResult, type LatencyStats } from "./bench-result.ts";
import { importBuilt } from "./built-planbot.ts";

/** Loads the config from `env` (plus PLANBOT_DATA_DIR under `root`), creates the runtime and seeds it. */
export async function startChatBenchRuntime(root: string, env: Record<string, string>): Promise<Runtime> {
  const { loadConfig } = await importBuilt<typeof import("../src/config.ts")>("config.ts");
  const { silentLogger } = await importBuilt<typeof import("../src/log.ts")>("log.ts");
  const { startWatcher } = await importBuilt<typeof import("../src/runtime/background.ts")>("runtime/background.ts");
  const { createRuntime } = await importBuilt<typeof import("../src/runtime/runtime.ts")>("runtime/runtime.ts");
  const loaded = loadConfig({ PLANBOT_DATA_DIR: join(root, "data"), ...env }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger);
  for (const slug of ["alpha", "beta", "gamma"])
    await runtime.core.lifecycle.propose({ slug, description: `Bench project ${slug}` });
  await startWatcher(runtime);
  return runtime;
}

/** The goal line of a chat bench: planbot's p50 against the bare library bot's, goal ≤ 1.2. */
function planbotVsBareLine(platform: string, planbot: LatencyStats, bare: LatencyStats): BenchResult {
  const ratio = planbot.p50 / bare.p50;
  return {
    name: `${platform}: planbot vs bare, p50`,
    figures: { planbot_p50_ms: planbot.p50, bare_p50_ms: bare.p50 },
    ratio: { value: ratio, goal: "≤ 1.2", met: ratio <= 1.2 },
  };
}

/**
 * When each bot last started its answering HTTP request, by the origin it went to (each bot has its own
 * fake), read from Node's diagnostics channels: undici's for discord.js, node:http's for grammY. It splits
 * a round trip into the bot's side (the event reaching the bot, its handling, building the request) and
 * the platform's (the request crossing, the fake checking and recording it) without touching either bot.
 */
export interface RequestStarts {
  /** performance.now() of the last request to `origin` whose path ends with the watched suffix. */
  at(origin: string): number | undefined;
  stop(): void;
}

/** Starts watching requests whose path ends with `pathEnd` (`/callback`, `/sendMessage`). */
export function watchRequestStarts(pathEnd: string): RequestStarts {
  const starts = new Map<string, number>();
  const fromUndici = (message: unknown) => {
    const { request } = message as { request: { origin: string | URL; path: string } };
    if (request.path.split("?")[0]!.endsWith(pathEnd)) starts.set(new URL(request.origin).origin, performance.now());
  };
  const fromHttp = (message: unknown) => {
    const { request } = message as { request: { path: string; getHeader(name: string): unknown } };
    if (request.path.split("?")[0]!.endsWith(pathEnd))
      starts.set(`http://${String(request.getHeader("host"))}`, performance.now());
  };
  diagnostics.subscribe("undici:request:create", fromUndici);
  diagnostics.subscribe("http.client.request.start", fromHttp);
  return {
    at: (origin) => starts.get(origin),
    stop() {
      diagnostics.unsubscribe("undici:request:create", fromUndici);
      diagnostics.unsubscribe("http.client.request.start", fromHttp);
    },
  };
}

/** One round trip, split at the moment the bot started its answering request. */
export interface SplitSample {
  total: number;
  /** From the platform event to the bot's request starting. */
  toRequest: number;
  /** From the bot's request starting to the fake recording it. */
  afterRequest: number;
}

/**
 * The attribution line of a chat bench: p50 of each part of the round trip, for planbot and for the bare
 * bot, so a gap in the goal line shows whether it lies in the bot (handling, building the request) or in
 * what the platform does with a bigger answer.
 */
function splitLine(platform: string, planbot: SplitSample[], bare: SplitSample[]): BenchResult {
  const p50 = (samples: SplitSample[], part: keyof SplitSample) =>
    percentile(
      samples.map((sample) => sample[part]),
      0.5,
    );
  return {
    name: `${platform}: p50 before and after the bot's request`,
    figures: {
      planbot_to_request_ms: p50(planbot, "toRequest"),
      planbot_after_ms: p50(planbot, "afterRequest"),
      bare_to_request_ms: p50(bare, "toRequest"),
      bare_after_ms: p50(bare, "afterRequest"),
    },
  };
}

/** What a chat bench measured after its warm-up: each bot's round trips, and the core's `/status` alone. */
export interface ChatBenchSamples {
  planbot: SplitSample[];
  bare: SplitSample[];
  coreMs: number[];
}

/**
 * The lines every chat bench reports, in this order: planbot's round trip, the bare library bot's, the
 * core's handler alone, the split of each round trip, and the p50 goal; `names` word the first three.
 * Planbot's figures come back too, for a platform's own goal lines.
 */
export function roundTripLines(
  platform: string,
  samples: ChatBenchSamples,
  names: { planbot: string; bare: string; core: string },
): { lines: BenchResult[]; planbot: LatencyStats } {
  const planbot = latencyStats(samples.planbot.map((sample) => sample.total));
  const bare = latencyStats(samples.bare.map((sample) => sample.total));
  const core = latencyStats(samples.coreMs);
  const lines = [
    latencyLine(names.planbot, samples.planbot.length, planbot),
    latencyLine(names.bare, samples.bare.length, bare),
    latencyLine(names.core, samples.coreMs.length, core),
    splitLine(platform, samples.planbot, samples.bare),
    planbotVsBareLine(platform, planbot, bare),
  ];
  return { lines, planbot };
}
