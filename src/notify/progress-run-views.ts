/**
 * What the progress notifier keeps in memory about the runs it shows: one view per run (its latest
 * snapshot, its chats, its queue of passes), the runs whose messages were finished, and the slugs an
 * earlier process left unfinished messages for. In memory only: the messages' ids are in the state file.
 */
import type { RunProgress } from "../execute/run-progress.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { ChatView } from "./progress-delivery.ts";
import { runKey } from "./progress-state.ts";

/** What is kept in memory about one run being shown. */
export interface RunView {
  key: string;
  slug: string;
  runId: string;
  latest: RunProgress | undefined;
  /** Set once Ralph is gone: the next pass makes the final edit. */
  ended: { record: ProjectRecord | undefined } | undefined;
  chats: Map<string, ChatView>;
  chain: Promise<void>;
  timer: NodeJS.Timeout | undefined;
}

/** The runs shown now, and the ones done with. */
export interface RunViews {
  /** The view of one run, made on first use. */
  view(slug: string, runId: string): RunView;
  get(key: string): RunView | undefined;
  values(): IterableIterator<RunView>;
  /** Forgets a run whose messages got their last edit; a late sample of it then never starts a new message. */
  finish(key: string): void;
  isFinished(key: string): boolean;
  /** Slugs (lower case) with unfinished messages from an earlier process and no snapshot yet. */
  readonly waiting: Set<string>;
  /** True while a run of `slug` has a message that did not get its last edit yet. */
  showing(slug: string): boolean;
  /** Runs not ended with a message in the chat `chatKey`. */
  runsInChat(chatKey: string): number;
}

/** Runs whose messages were finished, so a late sample never starts a new message (bounded). */
const FINISHED_KEPT = 2000;

/** Creates an empty {@link RunViews}. */
export function createRunViews(): RunViews {
  const views = new Map<string, RunView>();
  const finished = new Set<string>();
  const waiting = new Set<string>();
  return {
    view(slug, runId) {
      const key = runKey(slug, runId);
      let found = views.get(key);
      if (!found) {
        found = {
          key,
          slug,
          runId,
          latest: undefined,
          ended: undefined,
          chats: new Map(),
          chain: Promise.resolve(),
          timer: undefined,
        };
        views.set(key, found);
      }
      return found;
    },
    get: (key) => views.get(key),
    values: () => views.values(),
    finish(key) {
      finished.add(key);
      if (finished.size > FINISHED_KEPT) finished.delete(finished.values().next().value!);
      views.delete(key);
    },
    isFinished: (key) => finished.has(key),
    waiting,
    showing(slug) {
      const key = slug.toLowerCase();
      if (waiting.has(key)) return true;
      for (const run of views.values()) if (!run.ended && run.slug.toLowerCase() === key) return true;
      return false;
    },
    runsInChat(chatKey) {
      let shown = 0;
      for (const other of views.values()) if (!other.ended && other.chats.has(chatKey)) shown += 1;
      return shown;
    },
  };
}
