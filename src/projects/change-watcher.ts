import { createHash } from "node:crypto";
import { mkdirSync, statSync, watch, type FSWatcher } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "./clock.ts";
import { procProbe, type ProcessProbe } from "./process-probe.ts";
import type { ProjectList, ProjectLister, ProjectRecord } from "./project-list.ts";
import { workspaceFolders } from "./project-list.ts";
import type { ProjectStore } from "./project-store.ts";
import type { Result } from "./result.ts";
import { TASKS_FILE_NAME } from "./project-store.ts";
import { ralphDir } from "./workspace.ts";

/** A change of the project list: the records that changed (or vanished) and the list after it. */
export interface ProjectChange {
  sequence: number;
  signature: string;
  list: ProjectList;
  changed: { slug: string; before: ProjectRecord | undefined; after: ProjectRecord | undefined }[];
}

/** The current list plus a signature that changes exactly when the list does (echo-core's change detection). */
export interface WatchedState {
  sequence: number;
  signature: string;
  list: ProjectList;
}

/**
 * The one source of project state for every consumer (notifier, dashboard, SSE). File events on the
 * store, the workspace folder and each project's `scripts/ralph/` mark projects dirty; a debounce
 * folds bursts into one recomputation of just those projects. Process exits are no file events, so
 * the PIDs of running projects — only those — are probed on a short interval; a slow rescan catches
 * anything the events missed. No `git status`, no per-subscriber polling.
 */
export interface ChangeWatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  current(): WatchedState;
  subscribe(listener: (change: ProjectChange) => void): () => void;
  /** Recomputes now (all projects, or the given slugs) and publishes what changed. */
  refresh(slugs?: string[]): Promise<void>;
}

/** Dependencies of {@link createChangeWatcher}. */
export interface ChangeWatcherDeps {
  store: ProjectStore;
  lister: ProjectLister;
  clock: Clock;
  dataDir: string;
  workspaceDir: string;
  probe?: ProcessProbe;
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
  const debounceMs = deps.debounceMs ?? 30;
  const records = new Map<string, ProjectRecord>();
  const entryJson = new Map<string, string>();
  const projectWatchers = new Map<string, { watcher: FSWatcher; path: string; ino: number }>();
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

  const report = (error: unknown) => deps.onError?.(error);

  function schedule(): void {
    if (stopped || debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      running = running.then(() => recompute()).catch(report);
    }, debounceMs);
  }

  /** The folder to watch for a project: scripts/ralph, or until it exists the deepest folder on the way to it. */
  function watchTarget(slug: string): { path: string; ino: number } | undefined {
    const ralph = ralphDir(deps.workspaceDir, slug);
    for (const path of [ralph, dirname(ralph), join(deps.workspaceDir, slug)]) {
      const info = statSync(path, { throwIfNoEntry: false });
      if (info?.isDirectory()) return { path, ino: info.ino };
    }
    return undefined;
  }

  /** Watches a project, moving the watch down once scripts/ralph exists and re-watching a replaced folder. */
  function watchProject(slug: string): void {
    const target = watchTarget(slug);
    if (!target) return;
    const existing = projectWatchers.get(slug);
    if (existing && existing.path === target.path && existing.ino === target.ino) return;
    existing?.watcher.close();
    projectWatchers.delete(slug);
    try {
      const watcher = watch(target.path, { persistent: false }, () => {
        dirty.add(slug);
        schedule();
      });
      watcher.on("error", () => {
        projectWatchers.delete(slug);
        dirty.add(slug);
        foldersDirty = true;
        schedule();
      });
      projectWatchers.set(slug, { watcher, path: target.path, ino: target.ino });
    } catch {
      // The folder vanished between listing and watching: the folder watcher reports that.
    }
  }

  function unwatchProject(slug: string): void {
    projectWatchers.get(slug)?.watcher.close();
    projectWatchers.delete(slug);
  }

  /** Slugs whose store entry changed since the last look. */
  async function storeChanges(): Promise<Set<string>> {
    const read = await deps.store.read();
    const changed = new Set<string>();
    if (!read.ok) return changed;
    seenStoreFile = read.file;
    storeVersion = read.file.version ?? 0;
    const seen = new Set<string>();
    for (const entry of read.file.projects ?? []) {
      if (!entry.name) continue;
      const key = entry.name.toLowerCase();
      seen.add(key);
      const json = JSON.stringify(entry);
      if (entryJson.get(key) !== json) {
        entryJson.set(key, json);
        changed.add(entry.name);
      }
    }
    for (const key of [...entryJson.keys()]) {
      if (!seen.has(key)) {
        entryJson.delete(key);
        changed.add(key);
      }
    }
    return changed;
  }

  function folderChanges(): Set<string> {
    const changed = new Set<string>();
    const folders = new Set(workspaceFolders(deps.workspaceDir));
    for (const slug of folders) {
      if (!projectWatchers.has(slug)) {
        watchProject(slug);
        changed.add(slug);
      }
    }
    for (const slug of [...projectWatchers.keys()]) {
      if (!folders.has(slug)) {
        unwatchProject(slug);
        changed.add(slug);
      }
    }
    return changed;
  }

  async function recompute(all = false): Promise<void> {
    const slugs = dirty;
    dirty = new Set();
    if (storeDirty || all) {
      storeDirty = false;
      for (const slug of await storeChanges()) slugs.add(slug);
    }
    if (foldersDirty || all) {
      foldersDirty = false;
      for (const slug of folderChanges()) slugs.add(slug);
    }
    // Before reading: move a project's watch down to scripts/ralph once it exists, and re-watch a replaced folder.
    for (const slug of slugs) if (projectWatchers.has(slug)) watchProject(slug);
    const changed: ProjectChange["changed"] = [];
    if (all) {
      // One pass over everything: per-slug lookups would re-read the store once per project.
      const result = await deps.lister.build();
      if (!result.ok) {
        report(new Error(result.message));
        return;
      }
      const fresh = new Map(result.list.projects.map((record) => [record.slug.toLowerCase(), record]));
      for (const key of new Set([...records.keys(), ...fresh.keys()])) {
        const before = records.get(key);
        const after = fresh.get(key);
        if (JSON.stringify(before) === JSON.stringify(after)) continue;
        if (after) records.set(key, after);
        else records.delete(key);
        changed.push({ slug: after?.slug ?? before?.slug ?? key, before, after });
      }
      slugs.clear();
    }
    for (const slug of slugs) {
      const result = await deps.lister.get(slug);
      if (!result.ok) {
        report(new Error(result.message));
        continue;
      }
      const key = (result.record?.slug ?? slug).toLowerCase();
      const before = records.get(key);
      const after = result.record;
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      if (after) records.set(key, after);
      else records.delete(key);
      changed.push({ slug: after?.slug ?? before?.slug ?? slug, before, after });
    }
    // A store write that changed no entry still moves the version every list carries (If-Match).
    if (changed.length === 0 && state.sequence > 0 && storeVersion === state.list.version) return;
    publish(changed);
  }

  function publish(changed: ProjectChange["changed"]): void {
    const projects = [...records.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    const version = storeVersion;
    const list: ProjectList = { projects, version, fetchedAt: deps.clock.now().toISOString(), count: projects.length };
    const signature = createHash("sha256").update(JSON.stringify(projects)).update(String(version)).digest("hex");
    if (signature === state.signature && state.sequence > 0) return;
    state = { sequence: state.sequence + 1, signature, list };
    armPidCheck();
    const change: ProjectChange = { ...state, changed };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        report(error);
      }
    }
  }

  let storeVersion = 0;
  /** The store data the records were last compared with (the store hands out the same object until the file changes). */
  let seenStoreFile: unknown;
  async function refreshStoreVersion(): Promise<void> {
    const read = await deps.store.read();
    if (read.ok) storeVersion = read.file.version ?? 0;
  }

  /** The PID probe runs only while some project runs with a recorded PID: an idle planbot never wakes up for it. */
  let pidTimer: NodeJS.Timeout | undefined;
  function armPidCheck(): void {
    let needed = false;
    for (const record of records.values()) if (record.pid && record.status.startsWith("running")) needed = true;
    if (needed && !pidTimer && !stopped) pidTimer = setInterval(checkPids, deps.pidCheckMs ?? 1000).unref();
    if ((!needed || stopped) && pidTimer) {
      clearInterval(pidTimer);
      pidTimer = undefined;
    }
  }

  function checkPids(): void {
    for (const record of records.values()) {
      if (record.pid && record.status.startsWith("running") && !probe.inspect(record.pid).alive) {
        dirty.add(record.slug);
        schedule();
      }
    }
  }

  /**
   * The list a warm `lister.list()` gets while the watcher runs: the state it keeps, with no stat per
   * workspace. A store write that just returned shows at once: the kernel queues its file event before
   * the writer's rename returns, so the event loop handles it (marking the store dirty) before anything
   * that happened after the write reaches this process — another process's exit, a chat message; this
   * process's own writes it counts (`localWrites`), as their promises resolve before the event loop turns. The store file itself is stat'ed only when so marked, while its
   * last read failed (the error keeps showing), and at most a second apart otherwise, in case an event
   * was lost (an overflowing event queue, a file system without events). The PIDs of running projects
   * are probed, as their exits are no file events. Changes inside a workspace show once their file
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
    for (const record of records.values()) {
      if (record.pid && record.status.startsWith("running") && !probe.inspect(record.pid).alive) dirty.add(record.slug);
    }
    if (storeDirty || foldersDirty || dirty.size > 0 || debounce) {
      if (debounce) clearTimeout(debounce);
      debounce = undefined;
      running = running.then(() => recompute()).catch(report);
    }
    await running;
    return { ok: true, list: { ...state.list, fetchedAt: deps.clock.now().toISOString() } };
  }
  /** When servedList last read the store file (performance.now()); never, until it has. */
  let storeCheckedAt = Number.NEGATIVE_INFINITY;
  let seenLocalWrites = -1;
  let detach: (() => void) | undefined;

  return {
    async start() {
      mkdirSync(deps.workspaceDir, { recursive: true });
      mkdirSync(deps.dataDir, { recursive: true });
      await refreshStoreVersion();
      const list = await deps.lister.build();
      if (list.ok) for (const record of list.list.projects) records.set(record.slug.toLowerCase(), record);
      await storeChanges();
      folderChanges();
      publish(
        list.ok ? list.list.projects.map((record) => ({ slug: record.slug, before: undefined, after: record })) : [],
      );
      const dataWatcher = watch(deps.dataDir, { persistent: false }, (_event, file) => {
        if (file === null || file === TASKS_FILE_NAME) {
          storeDirty = true;
          running = running.then(refreshStoreVersion);
          schedule();
        }
      });
      const folderWatcher = watch(deps.workspaceDir, { persistent: false }, (_event, file) => {
        foldersDirty = true;
        if (file) dirty.add(file);
        schedule();
      });
      // Planning replies change a project's preview; the session file names the slug, so mark them all dirty cheaply.
      mkdirSync(join(deps.dataDir, "sessions"), { recursive: true });
      const sessionsWatcher = watch(join(deps.dataDir, "sessions"), { persistent: false }, () => {
        for (const record of records.values())
          if (record.status === "planning" || record.last_message_preview) dirty.add(record.slug);
        for (const slug of deps.previewSlugs?.() ?? []) dirty.add(slug);
        schedule();
      });
      for (const watcher of [dataWatcher, folderWatcher, sessionsWatcher]) {
        watcher.on("error", report);
        rootWatchers.push(watcher);
      }
      armPidCheck();
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
      armPidCheck();
      for (const watcher of rootWatchers) watcher.close();
      for (const slug of [...projectWatchers.keys()]) unwatchProject(slug);
      await running.catch(() => undefined);
    },
    current: () => state,
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
