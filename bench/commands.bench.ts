/**
 * The command layer's cost on top of the store: chat commands handled per second through the terminal
 * adapter's handler path (`bot.handleCommand` with a console `Incoming`, replies rendered as plain text),
 * a mix of `/approve` and `/unapprove` on existing projects so each command is exactly one store
 * mutation, against the same change made by `store.mutate` directly: same process, same store file on
 * disk, one command and one bare mutation alternating (which goes first alternates too). Goal: commands/s
 * ≥ 0.8 × bare mutations/s, each from the lower quartile of its times (1 / p25). Why not sums or
 * medians: nearly all of a mutation is two fsyncs, and on a shared, busy disk their latency spreads from
 * 2 to 50 ms; sums and medians then say which side the stalls happened to hit, while the lower quartile
 * is the cost when the disk is not stalling. Sums and medians are printed too, for reference.
 *
 * A last line isolates the layer itself: the same commands with the store's disk work replaced by an
 * in-memory apply (the answer to "where does the overhead go": parsing, roles, logging, rendering).
 *
 * Run alone with `node --import tsx bench/commands.bench.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { workspacePaths } from "../src/projects/workspace.ts";
import { CONSOLE_CHANNEL } from "../src/adapters/console/console-adapter.ts";
import type { Incoming } from "../src/chat/incoming.ts";
import { renderPlainText } from "../src/chat/plain-text.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import type { PlannerBackend } from "../src/planning/planner-backend.ts";
import { findProject } from "../src/projects/project-store.ts";
import { fail } from "../src/projects/result.ts";
import { createRuntime, type Runtime } from "../src/runtime/runtime.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import { percentile, printResults, type BenchResult } from "./bench-result.ts";

const PROJECTS = 8;
const OPERATIONS = 150;
const LAYER_OPS = 2000;
const WARMUP_OPS = 4;
const USER = "bench";

/** Runs the commands bench and returns its result lines. */
export async function benchCommands(): Promise<BenchResult[]> {
  const root = await makeTempDir("bench-commands-");
  let runtime: Runtime | undefined;
  try {
    const loaded = loadConfig({ PLANBOT_DATA_DIR: join(root, "data") }, root);
    if (!loaded.ok) throw new Error(loaded.message);
    // Nothing here plans; a planner that cannot run keeps the bench from ever starting `claude`.
    const planner: PlannerBackend = { run: async () => fail("planner_failed", "no planner in the commands bench") };
    runtime = createRuntime(loaded.config, silentLogger, { planner });
    const slugs = Array.from({ length: PROJECTS }, (_, index) => `bench-${index + 1}`);
    for (const slug of slugs) {
      const proposed = await runtime.core.lifecycle.propose({ slug, description: `Commands bench project ${slug}` });
      if (!proposed.ok) throw new Error(proposed.message);
      // A planned project, as /approve normally meets one: without a prd.json the approval warns that
      // Ralph has nothing to run, which is a different reply.
      const paths = workspacePaths(runtime.config.workspaceDir, slug);
      mkdirSync(paths.ralph, { recursive: true });
      writeFileSync(
        paths.prd,
        JSON.stringify({
          project: slug,
          branchName: `ralph/${slug}`,
          userStories: [
            { id: "US-1", title: "One story", description: "", acceptanceCriteria: [], priority: 1, passes: false },
          ],
        }),
      );
    }

    const viaCommands = commandRunner(runtime, slugs);
    const viaStore = storeRunner(runtime, slugs);
    await viaCommands(WARMUP_OPS);
    await viaStore(WARMUP_OPS);

    // One of each in turn, alternating which goes first, so drift in machine load hits both alike.
    const commandTimes: number[] = [];
    const storeTimes: number[] = [];
    for (let index = 0; index < OPERATIONS; index += 1) {
      if (index % 2 === 0) {
        commandTimes.push(await viaCommands(1));
        storeTimes.push(await viaStore(1));
      } else {
        storeTimes.push(await viaStore(1));
        commandTimes.push(await viaCommands(1));
      }
    }

    const operations = OPERATIONS;
    const read = await runtime.core.store.read();
    if (!read.ok) throw new Error(read.message);
    const expectedVersion = PROJECTS + 2 * (operations + WARMUP_OPS);
    const versionOk = read.file.version === expectedVersion;

    const commandSeconds = commandTimes.reduce((sum, time) => sum + time, 0);
    const storeSeconds = storeTimes.reduce((sum, time) => sum + time, 0);
    const commandMedian = percentile(commandTimes, 0.5);
    const storeMedian = percentile(storeTimes, 0.5);
    const commandQuartile = percentile(commandTimes, 0.25);
    const storeQuartile = percentile(storeTimes, 0.25);
    const commandsPerSecond = 1 / commandQuartile;
    const storePerSecond = 1 / storeQuartile;
    const ratio = commandsPerSecond / storePerSecond;
    const overheadUs = (commandQuartile - storeQuartile) * 1e6;
    const layerUs = await layerAlone(runtime, slugs);
    return [
      {
        name: "commands: /approve + /unapprove via bot.handleCommand (console)",
        figures: {
          commands: operations,
          seconds: commandSeconds,
          median_ms: commandMedian * 1000,
          p25_ms: commandQuartile * 1000,
          per_second: commandsPerSecond,
        },
      },
      {
        name: "commands: same change via store.mutate (bare)",
        figures: {
          mutations: operations,
          seconds: storeSeconds,
          median_ms: storeMedian * 1000,
          p25_ms: storeQuartile * 1000,
          per_second: storePerSecond,
          version_ok: versionOk ? "yes" : `NO (${read.file.version} ≠ ${expectedVersion})`,
        },
      },
      {
        name: "commands: command layer vs bare store",
        figures: {
          commands_per_s: commandsPerSecond,
          store_per_s: storePerSecond,
          overhead_us_per_command: overheadUs,
          ratio_of_sums: storeSeconds / commandSeconds,
          ratio_of_medians: storeMedian / commandMedian,
        },
        ratio: { value: ratio, goal: "≥ 0.8", met: ratio >= 0.8 },
      },
      {
        name: "commands: the layer alone (store disk work replaced in memory)",
        figures: {
          commands: LAYER_OPS,
          us_per_command: layerUs,
          share_of_p25_mutation: layerUs / (storeQuartile * 1e6),
        },
      },
    ];
  } finally {
    await runtime?.stop();
    await removeTempDir(root);
  }
}

/** `/approve` then `/unapprove`, cycling through the projects; returns the seconds `count` commands took. */
function commandRunner(runtime: Runtime, slugs: string[]) {
  let next = 0;
  return async (count: number): Promise<number> => {
    const started = performance.now();
    for (let index = 0; index < count; index += 1) {
      const step = next++;
      const slug = slugs[Math.floor(step / 2) % slugs.length]!;
      const text = step % 2 === 0 ? `/approve ${slug}` : `/unapprove ${slug}`;
      const incoming: Incoming = { adapter: "console", channelId: CONSOLE_CHANNEL, userId: USER, userName: USER, text };
      const replies = await runtime.bot.handleCommand(incoming);
      // What the terminal adapter does with them (and a check that the command really worked).
      const printed = replies.map((reply) => renderPlainText(reply)).join("\n");
      if (replies.length !== 1 || replies[0]!.tone !== "success") throw new Error(`${text} failed: ${printed}`);
    }
    return (performance.now() - started) / 1000;
  };
}

/** The same changes as {@link commandRunner}, straight through `store.mutate`. */
function storeRunner(runtime: Runtime, slugs: string[]) {
  let next = 0;
  const { store, clock } = runtime.core;
  return async (count: number): Promise<number> => {
    const started = performance.now();
    for (let index = 0; index < count; index += 1) {
      const step = next++;
      const slug = slugs[Math.floor(step / 2) % slugs.length]!;
      const approve = step % 2 === 0;
      const result = await store.mutate((file) => {
        const entry = findProject(file, slug);
        if (!entry) return fail("not_found", slug);
        entry.status = approve ? "approved" : "pending";
        entry.approved_at = approve ? clock.now().toISOString() : null;
        if (approve) entry.error = null;
        return { ok: true };
      });
      if (!result.ok) throw new Error(`store.mutate ${slug} failed: ${result.message}`);
    }
    return (performance.now() - started) / 1000;
  };
}

/**
 * µs per command with the store's locking, fsyncs and rename taken out: `store.mutate` (the object the
 * lifecycle holds) applies the change to an in-memory copy of the file. Restored afterwards.
 */
async function layerAlone(runtime: Runtime, slugs: string[]): Promise<number> {
  const store = runtime.core.store;
  const read = await store.read();
  if (!read.ok) throw new Error(read.message);
  const memory = structuredClone(read.file) as Parameters<Parameters<typeof store.mutate>[0]>[0];
  memory.projects ??= [];
  const original = store.mutate;
  (store as { mutate: typeof store.mutate }).mutate = async (apply) => {
    const outcome = await apply(memory);
    return outcome.ok ? { ...outcome, version: (memory.version = (memory.version ?? 0) + 1) } : outcome;
  };
  try {
    const run = commandRunner(runtime, slugs);
    await run(100);
    return ((await run(LAYER_OPS)) / LAYER_OPS) * 1e6;
  } finally {
    (store as { mutate: typeof store.mutate }).mutate = original;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await benchCommands());
}
