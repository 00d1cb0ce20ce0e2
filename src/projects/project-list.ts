import { readErrorFix, readErrorOperator, type FixableField } from "./error-fix.ts";
import type { OperatorProblem } from "./operator-fix.ts";
import { lstatSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import {
  deriveStatus,
  etaSeconds,
  projectBranch,
  storyProgress,
  type ProjectStatus,
  type StoryProgress,
} from "./derive-status.ts";
import { procProbe, type ProcessProbe } from "./process-probe.ts";
import { ralphSignature } from "./ralph-signature.ts";
import { findProject, type ProjectStore } from "./project-store.ts";
import type { Result } from "./result.ts";
import {
  readDelivery,
  readPullRequest,
  readRunRefusal,
  type DeliveryField,
  type RunRefusalField,
  type LoosePrd,
  type ProjectEntry,
  type PullRequestField,
} from "./schemas.ts";
import { lastIterationTime, readPrd, workspaceFolders } from "./workspace-reads.ts";
import { workspacePaths } from "./workspace.ts";
import type { Clock } from "./clock.ts";

/** One project as every consumer sees it: echo-core's record fields plus the ones planbot adds. */
export interface ProjectRecord {
  slug: string;
  status: ProjectStatus;
  name: string;
  description: string;
  proposed_at: string | null;
  approved_at: string | null;
  started_at: string | null;
  pid: number | null;
  stories_total: number;
  stories_done: number;
  eta_seconds: number | null;
  last_message_preview: string;
  error_reason: string;
  /** The field whose edit fixes `error_reason` (a missing base, a repo that cannot be cloned), else null. */
  error_fix: FixableField | null;
  /** Whether only planbot's operator can fix `error_reason` on the server, and how (operator-fix.ts), else null. */
  error_operator: OperatorProblem | null;
  has_workspace: boolean;
  has_prd: boolean;
  repo: string | null;
  /** The branch Ralph works on (the executor's rule: the entry's, else prd.json's branchName, else ralph/<slug>). */
  branch: string;
  base_branch: string | null;
  final_plan_path: string | null;
  last_iteration_at: string | null;
  blocked_stories: string[];
  failed_stories: string[];
  /** The draft pull request of the branch, once a run was delivered (README, "Delivering the work"). */
  pull_request: PullRequestField | null;
  /** How the last push / pull request went. */
  delivery: DeliveryField | null;
  /** The last run the preflight refused (here or on a worker) while the project is still approved and not run since. */
  run_refusal: RunRefusalField | null;
}

/** The unified list with the store version it was built from (echo-core's `/api/projects` payload). */
export interface ProjectList {
  projects: ProjectRecord[];
  version: number;
  fetchedAt: string;
  count: number;
}

/** Builds the unified project list: workspace folders plus store-only entries. */
export interface ProjectLister {
  /** The list: from the attached {@link ListSource} while one is attached, else {@link ProjectLister.build}. */
  list(): Promise<Result<{ list: ProjectList }>>;
  /** One project's record, or undefined when neither a workspace nor an entry exists. */
  get(slug: string): Promise<Result<{ record: ProjectRecord | undefined }>>;
  /**
   * The record of `entry` as a change just wrote it under the lock (a lifecycle result), with its workspace
   * as it is now: what {@link ProjectLister.get} would answer, without reading the store again.
   */
  recordOf(entry: ProjectEntry): ProjectRecord;
  /**
   * `read` (just returned by {@link ProjectLister.get}) as it reads with `entry` in the store instead: the
   * workspace as that call read it, no file touched. For words about a change, from the entry it replaced.
   */
  recordAs(read: ProjectRecord, entry: ProjectEntry): ProjectRecord;
  /** Builds the list from the files (the cold path, and the change watcher's own input). */
  build(): Promise<Result<{ list: ProjectList }>>;
  /**
   * Serves `list()` from `source` until the returned function is called: the change watcher attaches
   * itself while it runs, so a warm call is answered from the state it keeps current instead of a
   * stat per workspace.
   */
  serveFrom(source: ListSource): () => void;
}

/** What can answer {@link ProjectLister.list} in place of a rebuild (the running change watcher). */
export interface ListSource {
  list(): Promise<Result<{ list: ProjectList }>>;
}

/** Dependencies of {@link createProjectLister}. */
export interface ProjectListerDeps {
  store: ProjectStore;
  workspaceDir: string;
  clock: Clock;
  probe?: ProcessProbe;
  /** RALPH_COMMAND: a live PID running its script is `running-ralph` (default: snarktank/ralph's ralph.sh). */
  ralphCommand?: string | undefined;
  /** Latest planning excerpt per lower-case slug (the planning layer provides it; projects cannot import it). */
  previews?: () => ReadonlyMap<string, string>;
}

interface WorkspaceCacheEntry {
  /** The workspace's paths, joined once per project rather than on every look. */
  paths: ReturnType<typeof workspacePaths>;
  prdKey: string;
  prd: LoosePrd | null;
  progress: StoryProgress;
  logsKey: string;
  lastIteration: string | null;
  newestLog: string | null;
}

/**
 * Creates a {@link ProjectLister}. Reading 1,000 prd.json files on every call is what made echo-core's dashboard slow;
 * this one keeps each parsed PRD and log-folder scan keyed by the file's mtime and size, so a call with
 * nothing changed costs one readdir and two stats per workspace.
 */
export function createProjectLister(deps: ProjectListerDeps): ProjectLister {
  const probe = deps.probe ?? procProbe;
  const isRalph = ralphSignature(deps.ralphCommand);
  const cache = new Map<string, WorkspaceCacheEntry>();

  function workspaceState(slug: string): WorkspaceCacheEntry {
    let entry = cache.get(slug);
    const paths = entry?.paths ?? workspacePaths(deps.workspaceDir, slug);
    // lstat: a link put there by the repository is keyed (and then read) as what it is, never followed.
    const prdStat = lstatSync(paths.prd, { throwIfNoEntry: false });
    const logsStat = lstatSync(paths.logs, { throwIfNoEntry: false });
    const prdKey = statKey(prdStat);
    if (!entry || entry.prdKey !== prdKey) {
      const prd = prdStat ? readPrd(paths.prd) : null;
      entry = { paths, prdKey, prd, progress: storyProgress(prd), logsKey: "", lastIteration: null, newestLog: null };
      cache.set(slug, entry);
    }
    // The folder's stat sees logs created or removed; the newest log's own stat sees Ralph appending to it.
    const logsKey = (newest: string | null) =>
      `${statKey(logsStat)}|${newest ? statKey(lstatSync(newest, { throwIfNoEntry: false })) : ""}`;
    if (entry.logsKey !== logsKey(entry.newestLog)) {
      const scan = logsStat?.isDirectory() ? lastIterationTime(paths.logs) : { at: null, path: null };
      entry.lastIteration = scan.at;
      entry.newestLog = scan.path;
      entry.logsKey = logsKey(scan.path);
    }
    return entry;
  }

  function record(
    slug: string,
    entry: ProjectEntry | undefined,
    hasWorkspace: boolean,
    previews: ReadonlyMap<string, string>,
    cached?: WorkspaceCacheEntry,
  ): ProjectRecord {
    const state = hasWorkspace ? (cached ?? workspaceState(slug)) : undefined;
    const progress = state?.progress ?? storyProgress(null);
    const processInfo = probe.inspect(entry?.pid ?? null);
    const status = deriveStatus({ entry, prd: state?.prd, process: processInfo, isRalph });
    // Only while it still holds: approved and not run since (a run or a person's action clears it too).
    const refusal = status === "approved" ? readRunRefusal(entry as { run_refusal?: unknown } | undefined) : null;
    return {
      slug,
      status,
      name: slug,
      description: entry?.description ?? "",
      proposed_at: entry?.proposed_at ?? null,
      approved_at: entry?.approved_at ?? null,
      started_at: entry?.started_at ?? null,
      pid: entry?.pid ?? null,
      stories_total: progress.total,
      stories_done: progress.done,
      eta_seconds: etaSeconds(progress, status, refusal !== null),
      last_message_preview: (previews.get(slug.toLowerCase()) ?? "").slice(0, 200),
      error_reason: entry?.error ?? "",
      error_fix: readErrorFix(entry),
      error_operator: readErrorOperator(entry),
      has_workspace: hasWorkspace,
      has_prd: Boolean(state?.prd),
      repo: entry?.repo ?? null,
      branch: projectBranch(slug, entry, state?.prd),
      base_branch: entry?.base_branch ?? null,
      final_plan_path: entry?.final_plan_path ?? null,
      last_iteration_at: state?.lastIteration ?? null,
      blocked_stories: progress.blocked,
      failed_stories: progress.failed,
      pull_request: readPullRequest(entry),
      delivery: readDelivery(entry),
      run_refusal: refusal,
    };
  }

  async function list(): Promise<Result<{ list: ProjectList }>> {
    const read = await deps.store.read();
    if (!read.ok) return read;
    const file = read.file;
    const previews = deps.previews?.() ?? new Map<string, string>();
    const byName = new Map<string, ProjectEntry>();
    for (const entry of file.projects ?? []) if (entry.name) byName.set(entry.name.toLowerCase(), entry);
    const seen = new Set<string>();
    const projects: ProjectRecord[] = [];
    for (const slug of workspaceFolders(deps.workspaceDir)) {
      seen.add(slug.toLowerCase());
      projects.push(record(slug, byName.get(slug.toLowerCase()), true, previews));
    }
    for (const entry of file.projects ?? []) {
      if (!entry.name || seen.has(entry.name.toLowerCase())) continue;
      seen.add(entry.name.toLowerCase());
      projects.push(record(entry.name, entry, false, previews));
    }
    for (const slug of cache.keys()) if (!seen.has(slug.toLowerCase())) cache.delete(slug);
    projects.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    return {
      ok: true,
      list: { projects, version: file.version ?? 0, fetchedAt: deps.clock.now().toISOString(), count: projects.length },
    };
  }

  let source: ListSource | undefined;
  return {
    build: list,
    list: () => (source ? source.list() : list()),
    serveFrom(served) {
      source = served;
      return () => {
        if (source === served) source = undefined;
      };
    },
    async get(slug) {
      // A name with a path separator, a leading dot or a NUL is never a project (and must not walk the disk).
      if (!slug || slug.startsWith(".") || /[/\\\u0000]/.test(slug)) return { ok: true, record: undefined };
      const read = await deps.store.read();
      if (!read.ok) return read;
      const entry = findProject(read.file, slug);
      const name = entry?.name ?? slug;
      const hasWorkspace = isFolder(join(deps.workspaceDir, name));
      if (!entry && !hasWorkspace) return { ok: true, record: undefined };
      return { ok: true, record: record(name, entry, hasWorkspace, deps.previews?.() ?? new Map()) };
    },
    recordOf(entry) {
      const hasWorkspace = isFolder(join(deps.workspaceDir, entry.name));
      return record(entry.name, entry, hasWorkspace, deps.previews?.() ?? new Map());
    },
    recordAs(read, entry) {
      const cached = read.has_workspace ? cache.get(read.slug) : undefined;
      return record(read.slug, entry, read.has_workspace, deps.previews?.() ?? new Map(), cached);
    },
  };
}

/** Whether `path` is a folder. A name longer than the file system allows (typed after /status) is none. */
function isFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENAMETOOLONG") return false;
    throw error;
  }
}

function statKey(stats: Stats | undefined): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : "-";
}
