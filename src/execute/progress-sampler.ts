import type { Logger } from "../log.ts";
import type { ProcessProbe } from "../projects/process-probe.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { ralphSignature } from "../projects/ralph-signature.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import type { RunProgress, RunProgressListener } from "./run-progress.ts";
import { sampleRun, type SampleMemory } from "./run-sample.ts";

/** Dependencies of {@link createProgressSampler}. */
export interface ProgressSamplerDeps {
  store: ProjectStore;
  probe: ProcessProbe;
  /** RALPH_COMMAND: only a PID running its script is sampled (default: snarktank/ralph's ralph.sh). */
  ralphCommand?: string | undefined;
  workspaceDir: string;
  log: Logger;
  /** Time between two samples of every running project. */
  intervalMs: number;
  listener: RunProgressListener;
  /** Environment for git (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * A project whose entry says `cancelled` while its Ralph still runs (cancelled from a chat, the dashboard
   * or the CLI of another process): called once per run, the caller stops it.
   */
  onCancelledRun?: (slug: string) => void;
}

/** Samples every local Ralph run on a timer. */
export interface ProgressSampler {
  start(): void;
  stop(): Promise<void>;
  /** One pass now (what the timer does); resolves with what was published. */
  sample(): Promise<RunProgress[]>;
}

/**
 * Creates the sampler. It works from the store, not from what this process launched: every entry whose
 * PID is a live Ralph (the script RALPH_COMMAND configures) is sampled, so runs started by an earlier planbot process (restarted since) show
 * progress too. Remote runs (the queue) have no PID here; the queue publishes theirs itself.
 */
export function createProgressSampler(deps: ProgressSamplerDeps): ProgressSampler {
  const memory = new Map<string, SampleMemory>();
  const cancelSeen = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RunProgress[]> | undefined;
  let stopped = false;
  const runsRalph = ralphSignature(deps.ralphCommand);

  function isRalph(entry: ProjectEntry): boolean {
    const info = deps.probe.inspect(entry.pid ?? null);
    return info.alive && runsRalph(info.commandLine);
  }

  async function pass(): Promise<RunProgress[]> {
    const read = await deps.store.read();
    if (!read.ok) return [];
    const published: RunProgress[] = [];
    const live = new Set<string>();
    for (const entry of read.file.projects ?? []) {
      if (typeof entry.pid !== "number" || !isRalph(entry)) continue;
      const own = (entry.status ?? "").toLowerCase();
      if ((own === "cancelled" || own === "canceled") && !cancelSeen.has(entry.pid)) {
        cancelSeen.add(entry.pid);
        deps.log.info({ slug: entry.name, pid: entry.pid }, `${entry.name}: cancelled while Ralph runs; stopping it`);
        deps.onCancelledRun?.(entry.name);
      }
      const key = `${entry.name.toLowerCase()}\u0000${entry.started_at ?? ""}`;
      live.add(key);
      try {
        const sampled = await sampleRun(entry, deps.workspaceDir, deps.env ?? process.env, memory.get(key));
        memory.set(key, sampled.memory);
        published.push(sampled.progress);
        deps.listener(sampled.progress);
      } catch (error) {
        deps.log.warn({ slug: entry.name, err: error }, "sampling a run's progress failed");
      }
    }
    for (const key of memory.keys()) if (!live.has(key)) memory.delete(key);
    return published;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void sampler.sample().finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }

  const sampler: ProgressSampler = {
    start() {
      stopped = false;
      void sampler.sample().finally(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    sample() {
      running ??= pass().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
  return sampler;
}
