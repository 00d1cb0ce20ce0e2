/**
 * Which runs a project's end finishes: when the watcher shows a project's run is over (or a restarted
 * planbot finds it so), every run of it with an unfinished message — in memory or only in the state file,
 * left by an earlier process — gets its last edit, except the run the record says is still the current one.
 */
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { RunView, RunViews } from "./progress-run-views.ts";
import type { ProgressState } from "./progress-state.ts";

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
