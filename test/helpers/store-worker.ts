/**
 * A child-process writer of the project store, for the concurrency, kill and bench runs. It goes through
 * the real `createProjectStore` / `createLifecycle` on the data dir it is given and talks JSON lines on
 * stdout (one object per line, `type` says which):
 *
 *   node --import tsx test/helpers/store-worker.ts --data-dir D --workspace-dir W --id 1 --mode mixed --ops 100 --seed 7
 *
 * Modes:
 * - `mixed`: until `--ops` mutations succeeded, picks random lifecycle steps on its own projects
 *   (`w<id>-<n>`) and on the shared entry `shared` (which the parent creates first), interleaved with
 *   steps that must fail without writing (duplicate, stale, not found, already committed). Ends with
 *   `{type:"done", successes, failures, unexpected, proposed, expected, sharedHits}`: `expected` is the
 *   final state of each own project as this worker last wrote it.
 * - `loop`: prints `{type:"ready"}`, then mutates forever, printing `{type:"ok", version, slug}` after
 *   each success (the parent SIGKILLs it at a random point).
 * - `hold`: takes the lock through a mutation that never finishes, prints `{type:"holding"}` and waits
 *   to be killed.
 * - `burst`: `--ops` updates of `shared` and of its own `b<id>` (proposed first), 8 at a time without waiting
 *   for each other (they share writes), then `{type:"done", successes, sharedHits}`.
 * - `once`: one update of `shared`, then `{type:"ok", version, slug}` (a fresh process's first write).
 * - `minimal`: the `bench` protocol over a hand-written minimal lock + rename + fsync loop (minimal-store-loop.ts).
 * - `bench`: proposes `bench-<id>`, prints `{type:"ready"}`, waits for a line on stdin, then does
 *   `--ops` lifecycle updates (`--in-flight` at a time, default 1) and prints `{type:"done", start, end,
 *   successes, cpuMs}` (epoch ms; CPU time used in that window). With `--warm N`, `bench` and `minimal` first
 *   make N mutations of a private file in `<data-dir>-warm-<id>` (no contention), so the timed window
 *   measures compiled code, as in a planbot that has been running, not V8 compiling it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "../../src/projects/clock.ts";
import { createLifecycle, type EntryResult } from "../../src/projects/lifecycle.ts";
import { createProjectStore } from "../../src/projects/project-store.ts";
import { minimalStoreMutations } from "./minimal-store-loop.ts";

/** The final line of a `mixed` run. */
export interface MixedReport {
  type: "done";
  successes: number;
  /** Expected failures by code (they must not have written anything). */
  failures: Record<string, number>;
  /** Failures that should not have happened: `<step>: <code> <message>`. */
  unexpected: string[];
  proposed: string[];
  expected: Record<string, { status: string; hits: number }>;
  sharedHits: number;
}

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    "workspace-dir": { type: "string" },
    id: { type: "string", default: "0" },
    mode: { type: "string", default: "mixed" },
    ops: { type: "string", default: "100" },
    seed: { type: "string", default: "1" },
    "stale-ms": { type: "string", default: "2000" },
    "in-flight": { type: "string", default: "1" },
    warm: { type: "string", default: "0" },
  },
});

const dataDir = values["data-dir"];
if (!dataDir) {
  process.stderr.write("store-worker: --data-dir is required\n");
  process.exit(2);
}
const workspaceDir = values["workspace-dir"] ?? `${dataDir}/workspace`;
const id = Number(values.id);
const ops = Number(values.ops);
const store = createProjectStore({ dataDir, clock: systemClock, staleLockMs: Number(values["stale-ms"]) });
const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir });

function emit(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** mulberry32: a small seeded PRNG, so a run's sequence of steps is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bumpHits(entry: Record<string, unknown>): void {
  entry.hits = (typeof entry.hits === "number" ? entry.hits : 0) + 1;
}

function bumpShared(entry: Record<string, unknown>): void {
  const byWorker = (entry.hits_by ?? {}) as Record<string, number>;
  byWorker[String(id)] = (byWorker[String(id)] ?? 0) + 1;
  entry.hits_by = byWorker;
}

async function mixed(): Promise<void> {
  const rand = random(Number(values.seed) * 7919 + id);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const expected: Record<string, { status: string; hits: number }> = {};
  const proposed: string[] = [];
  const failures: Record<string, number> = {};
  const unexpected: string[] = [];
  let successes = 0;
  let sharedHits = 0;

  const mustSucceed = (step: string, result: EntryResult): boolean => {
    if (result.ok) {
      successes += 1;
      return true;
    }
    unexpected.push(`${step}: ${result.code} ${result.message}`);
    return false;
  };
  const mustFail = (step: string, result: EntryResult, code: string): void => {
    if (result.ok) {
      successes += 1;
      unexpected.push(`${step}: succeeded, expected ${code}`);
    } else if (result.code !== code) {
      unexpected.push(`${step}: ${result.code}, expected ${code}`);
    } else {
      failures[code] = (failures[code] ?? 0) + 1;
    }
  };

  const propose = async () => {
    const slug = `w${id}-${proposed.length}`;
    if (
      mustSucceed(
        "propose",
        await lifecycle.propose({
          slug,
          description: `Worker ${id} project ${proposed.length}`,
          repo: `team/${slug}`,
          branch: `feature/${slug}`,
          base: "main",
        }),
      )
    ) {
      proposed.push(slug);
      expected[slug] = { status: "pending", hits: 0 };
      // Its plan, so that once approved it is committed: re-planning it would replace the plan.
      const ralph = join(workspaceDir, slug, "scripts", "ralph");
      mkdirSync(ralph, { recursive: true });
      writeFileSync(join(ralph, "prd.json"), JSON.stringify({ userStories: [{ id: "US-1", passes: false }] }));
    }
  };
  await propose();

  let step = 0;
  while (successes < ops) {
    step += 1;
    const own = pick(proposed);
    const state = expected[own]!;
    if (step % 6 === 0) {
      // Steps that must fail and leave the file alone.
      const kind = pick(["duplicate", "stale", "missing", "committed"] as const);
      if (kind === "duplicate")
        mustFail(
          "duplicate",
          await lifecycle.propose({ slug: own.toUpperCase(), description: "again" }),
          "duplicate_slug",
        );
      else if (kind === "stale") mustFail("stale", await lifecycle.approve(own, { expectedVersion: 0 }), "stale");
      else if (kind === "missing") mustFail("missing", await lifecycle.approve(`w${id}-missing`), "not_found");
      else {
        const approved = proposed.find((slug) => expected[slug]!.status === "approved");
        if (approved) mustFail("committed", await lifecycle.startPlanning(approved, {}), "already_committed");
        else mustFail("missing-update", await lifecycle.update(`w${id}-nope`, bumpHits), "not_found");
      }
      continue;
    }
    const action = pick([
      "propose",
      "hits",
      "shared",
      "shared",
      "approve",
      "unapprove",
      "cancel",
      "plan",
      "finalize",
      "cancelPlanning",
      "link",
      "ifMatch",
    ] as const);
    switch (action) {
      case "propose":
        if (proposed.length < 12) await propose();
        else if (mustSucceed("hits", await lifecycle.update(own, bumpHits))) state.hits += 1;
        break;
      case "hits":
        if (mustSucceed("hits", await lifecycle.update(own, bumpHits))) state.hits += 1;
        break;
      case "shared":
        if (mustSucceed("shared", await lifecycle.update("shared", bumpShared))) sharedHits += 1;
        break;
      case "approve":
        if (mustSucceed("approve", await lifecycle.approve(own))) state.status = "approved";
        break;
      case "unapprove":
        if (mustSucceed("unapprove", await lifecycle.unapprove(own))) state.status = "pending";
        break;
      case "cancel":
        if (mustSucceed("cancel", await lifecycle.cancel(own))) state.status = "cancelled";
        break;
      case "plan":
        if (mustSucceed("plan", await lifecycle.startPlanning(own, { force: true }))) state.status = "planning";
        break;
      case "finalize":
        if (mustSucceed("finalize", await lifecycle.finalize(own, `/plans/${own}.md`))) state.status = "approved";
        break;
      case "cancelPlanning":
        if (mustSucceed("cancelPlanning", await lifecycle.cancelPlanning(own)) && state.status === "planning")
          state.status = "pending";
        break;
      case "link":
        mustSucceed("link", await lifecycle.linkPlanningSession(own, `session-${id}-${step}`));
        break;
      case "ifMatch": {
        // Optimistic concurrency with a version just read: ok, or stale when another process got in between.
        const read = await store.read();
        if (!read.ok) {
          unexpected.push(`read: ${read.code} ${read.message}`);
          break;
        }
        const result = await lifecycle.unapprove(own, { expectedVersion: read.file.version ?? 0 });
        if (result.ok) {
          successes += 1;
          state.status = "pending";
        } else if (result.code === "stale") {
          failures.stale = (failures.stale ?? 0) + 1;
        } else {
          unexpected.push(`ifMatch: ${result.code} ${result.message}`);
        }
        break;
      }
    }
    if (unexpected.length > 20) break;
  }
  const report: MixedReport = { type: "done", successes, failures, unexpected, proposed, expected, sharedHits };
  emit(report);
}

async function loop(): Promise<void> {
  emit({ type: "ready" });
  for (let n = 0; ; n += 1) {
    const result =
      n % 10 === 0
        ? await lifecycle.propose({ slug: `k${id}-${n}`, description: `Kill round ${id}, step ${n}` })
        : await lifecycle.update(n % 2 ? "shared" : `k${id}-0`, bumpHits);
    if (result.ok) emit({ type: "ok", version: result.version, slug: result.entry.name });
    else emit({ type: "failed", code: result.code, message: result.message });
  }
}

async function hold(): Promise<void> {
  setInterval(() => undefined, 60_000);
  const result = await store.mutate<object>(async () => {
    emit({ type: "holding" });
    await new Promise(() => undefined);
    return { ok: true };
  });
  emit({ type: "unexpected", result });
}

async function burst(): Promise<void> {
  const own = `b${id}`;
  const created = await lifecycle.propose({ slug: own, description: `Burst writer ${id}` });
  if (!created.ok) return emit({ type: "error", code: created.code, message: created.message });
  let successes = 0;
  let sharedHits = 0;
  for (let done = 0; done < ops; done += 8) {
    const round = Array.from({ length: Math.min(8, ops - done) }, (_, index) =>
      index % 2 ? lifecycle.update(own, bumpHits) : lifecycle.update("shared", bumpShared),
    );
    const results = await Promise.all(round);
    results.forEach((result, index) => {
      if (!result.ok) return;
      successes += 1;
      if (index % 2 === 0) sharedHits += 1;
    });
  }
  emit({ type: "done", successes, sharedHits });
}

async function once(): Promise<void> {
  const result = await lifecycle.update("shared", bumpHits);
  if (result.ok) emit({ type: "ok", version: result.version, slug: result.entry.name });
  else emit({ type: "failed", code: result.code, message: result.message });
}

async function bench(): Promise<void> {
  const slug = `bench-${id}`;
  const created = await lifecycle.propose({ slug, description: `Bench writer ${id}` });
  if (!created.ok && created.code !== "duplicate_slug") {
    emit({ type: "error", code: created.code, message: created.message });
    process.exit(1);
  }
  await warmStore(slug);
  emit({ type: "ready" });
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  process.stdin.pause();
  const start = Date.now();
  const cpuAtStart = process.cpuUsage();
  let successes = 0;
  // `--in-flight` chains of updates at once (1: one after another), as a busy bot's chats and notifier make them.
  const inFlight = Math.max(1, Number(values["in-flight"]));
  const chain = async (count: number) => {
    for (let n = 0; n < count; n += 1) if ((await lifecycle.update(slug, bumpHits)).ok) successes += 1;
  };
  await Promise.all(
    Array.from({ length: inFlight }, (_, index) =>
      chain(Math.floor(ops / inFlight) + (index < ops % inFlight ? 1 : 0)),
    ),
  );
  emit({ type: "done", start, end: Date.now(), successes, cpuMs: cpuMsSince(cpuAtStart) });
}

/** `--warm`: mutations made before the timed window, and the private folder they are made in. */
const warmOps = Number(values.warm);
const warmDir = `${dataDir}-warm-${id}`;

/** `--warm N` of `bench`: N updates of `slug` through the store and lifecycle, on a private data dir. */
async function warmStore(slug: string): Promise<void> {
  if (warmOps <= 0) return;
  const warmLifecycle = createLifecycle({
    store: createProjectStore({ dataDir: warmDir, clock: systemClock }),
    clock: systemClock,
    workspaceDir: join(warmDir, "workspace"),
  });
  const proposed = await warmLifecycle.propose({ slug, description: `Warm-up of bench writer ${id}` });
  if (!proposed.ok) throw new Error(`warm-up: ${proposed.message}`);
  for (let n = 0; n < warmOps; n += 1) {
    const updated = await warmLifecycle.update(slug, bumpHits);
    if (!updated.ok) throw new Error(`warm-up: ${updated.message}`);
  }
}

/** CPU time (user + system, ms) this process used since `start`: what a mutation costs besides waiting. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** `minimal`: like `bench`, but through {@link minimalStoreMutations} on `<data-dir>/minimal.json`, not the store. */
async function minimal(): Promise<void> {
  if (warmOps > 0) {
    mkdirSync(warmDir, { recursive: true });
    await minimalStoreMutations(join(warmDir, "minimal.json"), id, warmOps);
  }
  emit({ type: "ready" });
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  process.stdin.pause();
  const start = Date.now();
  const cpuAtStart = process.cpuUsage();
  const successes = await minimalStoreMutations(join(dataDir!, "minimal.json"), id, ops);
  emit({ type: "done", start, end: Date.now(), successes, cpuMs: cpuMsSince(cpuAtStart) });
}

const modes: Record<string, () => Promise<void>> = { mixed, loop, hold, burst, once, bench, minimal };
const run = modes[values.mode ?? "mixed"];
if (!run) {
  process.stderr.write(`store-worker: unknown --mode ${values.mode}\n`);
  process.exit(2);
}
await run();
