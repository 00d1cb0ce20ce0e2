import type { FSWatcher } from "node:fs";
import type { Clock } from "./clock.ts";
import { procProbe, type ProcessProbe } from "./process-probe.ts";
import { ralphSignature } from "./ralph-signature.ts";
import type { ProjectList, ProjectLister, ProjectRecord } from "./project-list.ts";
import type { ProjectStore } from "./project-store.ts";
import { createProjectWatches } from "./project-watches.ts";
import { collectChanges, type RecordChange } from "./record-changes.ts";
import type { Result } from "./result.ts";
import { watchRoots } from "./root-watches.ts";
import { changedRuns, createRunPidWatch } from "./run-pid-watch.ts";
import { createStoreEntryChanges } from "./store-entry-changes.ts";
import { createStoreHealth, type StoreHealth } from "./store-health.ts";
import { nextWatchedState, type WatchedState } from "./watched-state.ts";
import { makeFoldersSync } from "./make-folders.ts";

/** A change of the project list: the records that changed (or vanished) and the list after it. */
export interface ProjectChange {
  sequence: number;
  signature: string;
  list: ProjectList;
  changed: RecordChange[];
}

export type { WatchedState } from "./watched-state.ts";

/**
 * The one source of project state for every consumer (notifier, dashboard, SSE). File events on the
 * store, the workspace folder and each project's `scripts/ralph/` mark projects dirty; a debounce
 * folds bursts into one recomputation of just those projects. A process's exit or `exec` is no file
 * event, so the PIDs of running projects — only those — are probed on a short interval; a slow rescan catches
 * anything the events missed. No `git status`, no per-subscriber polling.
 */
export interface ChangeWatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  current(): WatchedState;
  subscribe(listener: (change: ProjectChange) => void): () => void;
  /** Recomputes now (all projects, or the given slugs) and publishes what changed. */
  refresh(slugs?: string[]): Promise<void>;
  /** Whether the store file was readable at the last look; news when it breaks and when it is readable again. */
  storeHealth: StoreHealth;
}

/** Dependencies of {@link createChangeWatcher}. */
export interface ChangeWatcherDeps {
  store: ProjectStore;
  lister: ProjectLister;
  clock: Clock;
  dataDir: string;
  workspaceDir: string;
  probe?: ProcessProbe;
  /** RALPH_COMMAND, to tell a run's Ralph from another program at its PID (default: ralph.sh). */
  ralphCommand?: string | undefined;
  debounceMs?: number;
  pidCheckMs?: number;
  rescanMs?: number;
  onError?: (error: unknown) => void;
  /** Slugs that have planning previews (so a session-file change recomputes just those). */
  previewSlugs?: () => Iterable<string>;
}

/** How long a warm list may go without reading the store file when no file event marked it changed. */
const STORE_RECHECK_MS = 1000;

/** Creates a {@link ChangeWatcher}; call `start()` to take the first snapshot and begin watching. */
export function createChangeWatcher(deps: ChangeWatcherDeps): ChangeWatcher {
  const probe = deps.probe ?? procProbe;
  const isRalph = ralphSignature(deps.ralphCommand);
  const debounceMs = deps.debounceMs ?? 30;
  const records = new Map<string, ProjectRecord>();
  const entries = createStoreEntryChanges();
  const listeners = new Set<(change: ProjectChange) => void>();
  const rootWatchers: FSWatcher[] = [];
  const timers: NodeJS.Timeout[] = [];
  let state: WatchedState = {
    sequence: 0,
    signature: "",
    list: { projects: [], version: 0, fetchedAt: deps.clock.now().toISOString(), count: 0 },
  };
  let dirty = new Set<string>();
  let storeDirty = false;
  let foldersDirty = false;
  let debounce: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let storeVersion = 0;
  /** The store data the records were last compared with (the store hands out the same object until the file changes). */
  let seenStoreFile: unknown;
  /** When servedList last read the store file (performance.now()); never, until it has. */
  let storeCheckedAt = Number.NEGATIVE_INFINITY;
  /** The store's count of this process's own writes when servedList last looked. */
  let seenLocalWrites = -1;
  let detach: (() => void) | undefined;

  const report = (error: unknown) => deps.onError?.(error);
  const health = createStoreHealth(report);

  function schedule(): void {
    if (stopped || debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      running = running.then(() => recompute()).catch(report);
    }, debounceMs);
  }

  function markDirty(slug: string): void {
    dirty.add(slug);
    schedule();
  }

  const projects = createProjectWatches(deps.workspaceDir, {
    changed: markDirty,
    lost(slug) {
      foldersDirty = true;
      markDirty(slug);
    },
  });
  const pids = createRunPidWatch({
    records: () => records.values(),
    probe,
    isRalph,
    intervalMs: deps.pidCheckMs ?? 1000,
    onChanged: markDirty,
  });

  /** Slugs whose store entry changed since the last look. */
  async function storeChanges(): Promise<Set<string>> {
    const read = await deps.store.read();
    health.saw(read);
    if (!read.ok) return new Set();
    seenStoreFile = read.file;
    storeVersion = read.file.version ?? 0;
    return entries.since(read.file.projects ?? []);
  }

  async function refreshStoreVersion(): Promise<void> {
    const read = await deps.store.read();
    if (read.ok) storeVersion = read.file.version ?? 0;
  }

  /** The slugs to look at again: those marked dirty, plus what the store and the folder list say changed. */
  async function dirtySlugs(all: boolean): Promise<Set<string>> {
    const slugs = dirty;
    dirty = new Set();
    if (storeDirty || all) {
      storeDirty = false;
      for (const slug of await storeChanges()) slugs.add(slug);
    }
    if (foldersDirty || all) {
      foldersDirty = false;
      for (const slug of projects.sync()) slugs.add(slug);
    }
    // Before reading: move a project's watch down to scripts/ralph once it exists, and re-watch a replaced folder.
    for (const slug of slugs) if (projects.has(slug)) projects.watch(slug);
    return slugs;
  }

  async function recompute(all = false): Promise<void> {
    const slugs = await dirtySlugs(all);
    const changed = await collectChanges(records, deps.lister, slugs, all, report);
    // A store write that changed no entry still moves the version every list carries (If-Match).
    if (changed && !(changed.length === 0 && state.sequence > 0 && storeVersion === state.list.version))
      publish(changed);
    // After the publish: whoever hears "readable again" finds the current list already in place.
    health.tell();
  }

  function publish(changed: RecordChange[]): void {
    const next = nextWatchedState(state, records.values(), storeVersion, deps.clock.now().toISOString());
    if (!next) return;
    state = next;
    pids.arm(stopped);
    const change: ProjectChange = { ...state, changed };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        report(error);
      }
    }
  }

  /**
   * The list a warm `lister.list()` gets while the watcher runs: the state it keeps, with no stat per
   * workspace. A store write that just returned shows at once: the kernel queues its file event before
   * the writer's rename returns, so the event loop handles it (marking the store dirty) before anything
   * that happened after the write reaches this process — another process's exit, a chat message; this
   * process's own writes it counts (`localWrites`), as their promises resolve before the event loop
   * turns. The store file itself is stat'ed only when so marked, while its
   * last read failed (the error keeps showing), and at most a second apart otherwise, in case an event
   * was lost (an overflowing event queue, a file system without events). The PIDs of running projects
   * are probed, as their exits and execs are no file events. Changes inside a workspace show once their file
   * event arrives (milliseconds).
   */
  async function servedList(): Promise<Result<{ list: ProjectList }>> {
    const now = performance.now();
    // This process's own store writes show without waiting for their file event (locked-json-file.ts).
    const localWrites = deps.store.localWrites();
    if (localWrites !== seenLocalWrites) storeDirty = true;
    seenLocalWrites = localWrites;
    if (storeDirty || now - storeCheckedAt >= STORE_RECHECK_MS) {
      const read = await deps.store.read();
      if (!read.ok) {
        storeCheckedAt = Number.NEGATIVE_INFINITY;
        return read;
      }
      storeCheckedAt = now;
      if (read.file !== seenStoreFile || (read.file.version ?? 0) !== storeVersion) storeDirty = true;
    }
    for (const slug of changedRuns(records.values(), probe, isRalph)) dirty.add(slug);
    if (storeDirty || foldersDirty || dirty.size > 0 || debounce) {
      if (debounce) clearTimeout(debounce);
      debounce = undefined;
      running = running.then(() => recompute()).catch(report);
    }
    await running;
    return { ok: true, list: { ...state.list, fetchedAt: deps.clock.now().toISOString() } };
  }

  /**
   * Takes the first snapshot: every record is new, so every project is in the first change. It runs with
   * the watches already up, and it remembers the store entries (and watches the project folders) before it
   * builds the records: a change made meanwhile by another process is then newer than what was remembered,
   * and its event recomputes the project after the snapshot. Built first and remembered after, such a change
   * was in the baseline but not in the records, and its event came before the watch: it never showed.
   */
  async function firstSnapshot(): Promise<void> {
    projects.sync();
    await storeChanges();
    const list = await deps.lister.build();
    if (list.ok) for (const record of list.list.projects) records.set(record.slug.toLowerCase(), record);
    publish(
      list.ok ? list.list.projects.map((record) => ({ slug: record.slug, before: undefined, after: record })) : [],
    );
    // A store broken at start is the channel's first word, so a fix is news ("readable again") like any other.
    health.tell();
  }

  return {
    async start() {
      makeFoldersSync(deps.workspaceDir);
      makeFoldersSync(deps.dataDir);
      const watchers = watchRoots(
        deps,
        {
          store() {
            storeDirty = true;
            running = running.then(refreshStoreVersion);
            schedule();
          },
          folder(file) {
            foldersDirty = true;
            if (file) dirty.add(file);
            schedule();
          },
          // The session file names the slug, so mark every planning or previewed project dirty cheaply.
          sessions() {
            for (const record of records.values())
              if (record.status === "planning" || record.last_message_preview) dirty.add(record.slug);
            for (const slug of deps.previewSlugs?.() ?? []) dirty.add(slug);
            schedule();
          },
        },
        report,
      );
      rootWatchers.push(...watchers);
      // On the chain, so a recomputation an event asks for meanwhile runs after the snapshot, never beside it.
      const snapshot = running.then(firstSnapshot);
      running = snapshot.catch(report);
      await snapshot;
      pids.arm(stopped);
      detach = deps.lister.serveFrom({ list: servedList });
      timers.push(
        setInterval(() => {
          running = running.then(() => recompute(true)).catch(report);
          // Only a safety net (file events and the PID probe do the work), so it can be rare: 5 minutes.
        }, deps.rescanMs ?? 300_000).unref(),
      );
    },
    async stop() {
      stopped = true;
      detach?.();
      if (debounce) clearTimeout(debounce);
      for (const timer of timers) clearInterval(timer);
      pids.arm(stopped);
      for (const watcher of rootWatchers) watcher.close();
      projects.close();
      await running.catch(() => undefined);
    },
    current: () => state,
    storeHealth: health,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async refresh(slugs) {
      if (slugs) for (const slug of slugs) dirty.add(slug);
      running = running.then(() => recompute(!slugs)).catch(report);
      await running;
    },
  };
}
