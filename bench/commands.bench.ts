/**
 * The command layer's cost on top of the store: chat commands handled per second through the terminal
 * adapter's handler path (`bot.handleCommand` with a console `Incoming`, replies rendered as plain text),
 * a mix of `/approve` and `/unapprove` on existing projects so each command is exactly one store
 * mutation, against the same change made by `store.mutate` directly: same process, same store file on
 * disk, measured in interleaved rounds of one run. Goal: commands/s ≥ 0.8 × bare mutations/s.
 *
 * Run alone with `node --import tsx bench/commands.bench.ts`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
import { printResults, type BenchResult } from "./bench-result.ts";

const PROJECTS = 8;
const ROUNDS = 6;
const OPS_PER_ROUND = 25;
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
    }

    const viaCommands = commandRunner(runtime, slugs);
    const viaStore = storeRunner(runtime, slugs);
    await viaCommands(WARMUP_OPS);
    await viaStore(WARMUP_OPS);

    // Interleaved rounds, alternating which side goes first, so drift in machine load hits both alike.
    let commandSeconds = 0;
    let storeSeconds = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      if (round % 2 === 0) {
        commandSeconds += await viaCommands(OPS_PER_ROUND);
        storeSeconds += await viaStore(OPS_PER_ROUND);
      } else {
        storeSeconds += await viaStore(OPS_PER_ROUND);
        commandSeconds += await viaCommands(OPS_PER_ROUND);
      }
    }

    const operations = ROUNDS * OPS_PER_ROUND;
    const read = await runtime.core.store.read();
    if (!read.ok) throw new Error(read.message);
    const expectedVersion = PROJECTS + 2 * (operations + WARMUP_OPS);
    const versionOk = read.file.version === expectedVersion;

    const commandsPerSecond = operations / commandSeconds;
    const storePerSecond = operations / storeSeconds;
    const ratio = commandsPerSecond / storePerSecond;
    const overheadUs = ((commandSeconds - storeSeconds) / operations) * 1e6;
    return [
      {
        name: "commands: /approve + /unapprove via bot.handleCommand (console)",
        figures: { commands: operations, seconds: commandSeconds, per_second: commandsPerSecond },
      },
      {
        name: "commands: same change via store.mutate (bare)",
        figures: { mutations: operations, seconds: storeSeconds, per_second: storePerSecond, version_ok: versionOk ? "yes" : `NO (${read.file.version} ≠ ${expectedVersion})` },
      },
      {
        name: "commands: command layer vs bare store",
        figures: { commands_per_s: commandsPerSecond, store_per_s: storePerSecond, overhead_us_per_command: overheadUs },
        ratio: { value: ratio, goal: "≥ 0.8", met: ratio >= 0.8 },
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
      const printed = replies.map(renderPlainText).join("\n");
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await benchCommands());
}
