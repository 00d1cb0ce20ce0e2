/**
 * Projects for the change watcher to watch, set up in one step: every entry in one mutation of the data
 * dir's store, then each project's `scripts/ralph/prd.json` with one story per state in its workspace.
 * What the notify benches start from; free of vitest, like the fixtures it builds on.
 */
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { prdWith, putEntries, storeOf, writePrd, type StoryState } from "./notify-fixtures.ts";

/** One watched project: its store entry and the states of its PRD's stories. */
export interface WatchedProject {
  entry: Partial<ProjectEntry> & { name: string };
  stories: StoryState[];
}

/** Writes the entries of `projects` to the store of `dataDir` and their prd.json files under `workspaceDir`. */
export async function putWatchedProjects(
  dataDir: string,
  workspaceDir: string,
  projects: WatchedProject[],
): Promise<void> {
  await putEntries(
    storeOf(dataDir),
    projects.map((project) => project.entry),
  );
  for (const { entry, stories } of projects) writePrd(workspaceDir, entry.name, prdWith(entry.name, stories));
}
