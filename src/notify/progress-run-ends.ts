/**
 * Which runs a project's end finishes: when the watcher shows a project's run is over (or a restarted
 * planbot finds it so), every run of it with an unfinished message — in memory or only in the state file,
 * left by an earlier process — gets its last edit, except the run the record says is still the current one.
 */
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { RunView, RunViews } from "./progress-run-views.ts";
import type { ProgressState } from "./progress-state.ts";

/**
 * A record showing that a run is over: gone, or neither running nor holding a PID (a dead Ralph whose outcome
 * is not recorded yet still has one — its status then says nothing about how it ended).
 */
export function runOver(record: ProjectRecord | undefined): boolean {
  return !record || (record.status !== "running-ralph" && record.pid === null);
}

/**
 * The runs whose messages were never finished, found at start-up in the state file: those whose project
 * `projects` shows over (ended while planbot was down) and the slugs still running (or whose end is not
 * recorded yet: the sampler's next snapshot goes on editing the same messages). Undefined when the file
 * cannot be read.
 */
export async function unfinishedAtStart(
  file: LockedJsonFile<ProgressState>,
  projects: readonly ProjectRecord[],
): Promise<{ over: Array<{ slug: string; record: ProjectRecord | undefined }>; running: string[] } | undefined> {
  const read = await file.read();
  if (!read.ok) return undefined;
  const records = new Map(projects.map((record) => [record.slug.toLowerCase(), record]));
  const over: Array<{ slug: string; record: ProjectRecord | undefined }> = [];
  const running: string[] = [];
  for (const run of Object.values(read.data.runs)) {
    if (run.ended_at) continue;
    const record = records.get(run.slug.toLowerCase());
    if (runOver(record)) over.push({ slug: run.slug, record });
    else running.push(run.slug.toLowerCase());
  }
  return { over, running };
}

/** The views of `slug`'s runs that `record` ends and that were not marked ended yet (made from the file where needed). */
export async function runsEndedBy(
  file: LockedJsonFile<ProgressState>,
  runs: RunViews,
  slug: string,
  record: ProjectRecord | undefined,
): Promise<RunView[]> {
  runs.waiting.delete(slug.toLowerCase());
  const read = await file.read();
  const keys = new Set<string>();
  for (const run of runs.values()) if (run.slug.toLowerCase() === slug.toLowerCase()) keys.add(run.key);
  if (read.ok)
    for (const [key, run] of Object.entries(read.data.runs))
      if (run.slug.toLowerCase() === slug.toLowerCase() && !run.ended_at) keys.add(key);
  const ended: RunView[] = [];
  for (const key of keys) {
    const stored = read.ok ? read.data.runs[key] : undefined;
    const run = runs.get(key) ?? (stored ? runs.view(stored.slug, stored.run_id) : undefined);
    if (!run || run.ended) continue;
    if (record?.status === "running-ralph" && record.started_at === run.runId) continue;
    ended.push(run);
  }
  return ended;
}
