import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import {
  findSupersededCopy,
  type Replacement,
  replaceFileSync,
  settleReplacement,
  sweepIsDue,
  sweepStaleTemps,
} from "./atomic-write.ts";
import { acquireHandoverLock } from "./lock-handover.ts";
import { createMutationQueue, type PendingMutation } from "./mutation-queue.ts";
import { parseLosslessJson, stringifyLosslessJson } from "./lossless-json.ts";
import { fail, type Failure, type Result } from "./result.ts";

/** How a file's text becomes data: a failure here marks the file corrupt, and it is then never overwritten. */
export type JsonParser<D> = (value: unknown) => { ok: true; data: D } | { ok: false; problem: string };

/** Options of {@link createLockedJsonFile}. */
export interface LockedJsonFileOptions<D> {
  path: string;
  parse: JsonParser<D>;
  /** The data a missing file stands for. */
  empty: () => D;
  /** Last touch before every write (the project store bumps `version` here). */
  beforeWrite?: (data: D) => void;
  /** proper-lockfile's stale timeout: a lock older than this, whose holder stopped refreshing it, is taken over. */
  staleMs?: number;
}

/** What a mutation's `apply` returns: a value to keep (and write), or a failure that aborts without writing. */
export type MutationOutcome<T> = Result<T> | Promise<Result<T>>;

/**
 * A JSON file that many processes mutate safely: a write holds a proper-lockfile lock, re-reads, applies the
 * mutations waiting in this process (one after another, each on the result of the one before), writes a temp
 * file and renames it over; after releasing the lock it fsyncs the file and the folder, and only then do the
 * callers hear of success (docs/architecture.md, "The store's write path"). A file that exists but does not
 * parse is reported by every read and refused by every mutation, so nobody's data is replaced by an empty
 * store (echo-core's dashboard read a corrupt file as empty).
 */
export interface LockedJsonFile<D> {
  readonly path: string;
  /** The current data (treat as read-only; it may be shared with later reads until the file changes). */
  read(): Promise<Result<{ data: D }>>;
  /**
   * Locks, re-reads, applies and writes; `apply` may return a failure to leave the file untouched by it.
   * Mutations made while another of this process is being written share the next write (group commit).
   */
  mutate<T>(apply: (data: D) => MutationOutcome<T>): Promise<Result<T>>;
  /**
   * How many writes of this path this process has made (through any instance). A cache of the file can
   * compare it to see its own process's writes at once: their file events reach the event loop only after
   * the writer's promise has resolved.
   */
  localWrites(): number;
}

interface CacheEntry<D> {
  signature: string;
  data: D;
}

/** Writes per path made by this process: see {@link LockedJsonFile.localWrites}. */
const localWriteCounts = new Map<string, number>();

/** Creates a {@link LockedJsonFile} over `options.path`. */
export function createLockedJsonFile<D>(options: LockedJsonFileOptions<D>): LockedJsonFile<D> {
  const { path, parse, empty, beforeWrite } = options;
  const staleMs = Math.max(2000, options.staleMs ?? 5000);
  let cache: CacheEntry<D> | undefined;

  async function load(fresh = false): Promise<Result<{ data: D; cached: boolean }>> {
    let signature: string;
    try {
      // A synchronous stat: every command reads the store, and a thread-pool round trip for one stat
      // costs more than the stat itself on a busy machine.
      const info = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (!info) return { ok: true, data: empty(), cached: false };
      // This process's own writes count too: another instance over the same path may have written it within
      // one timestamp tick, to an inode number just freed, at the same size.
      signature = `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}:${localWriteCounts.get(path) ?? 0}`;
    } catch (error) {
      return ioFailure("read", error);
    }
    if (!fresh && cache?.signature === signature) return { ok: true, data: cache.data, cached: true };
    let text: string;
    try {
      // Synchronous for the same reason, and because a mutation reads under the lock: every thread-pool hop
      // there is time all other writers wait.
      text = readFileSync(path, "utf8");
    } catch (error) {
      if (isMissing(error)) return { ok: true, data: empty(), cached: false };
      return ioFailure("read", error);
    }
    let value: unknown;
    try {
      value = parseLosslessJson(text);
    } catch (error) {
      return corrupt(`not valid JSON (${(error as Error).message})`);
    }
    const parsed = parse(value);
    if (!parsed.ok) return corrupt(parsed.problem);
    cache = { signature, data: parsed.data };
    return { ok: true, data: parsed.data, cached: false };
  }

  function corrupt(problem: string): Failure {
    const copy = findSupersededCopy(path, (text) => parse(parseLosslessJson(text)).ok);
    const restore = copy
      ? ` The version before the last write is still at ${copy}: if a crash damaged the file, move that copy over it.`
      : "";
    return fail(
      "store_corrupt",
      `${path} cannot be read: ${problem}. planbot will not overwrite it; fix or move the file, then retry.${restore}`,
      { details: { path, problem, ...(copy ? { copy } : {}) } },
    );
  }

  function ioFailure(action: string, error: unknown): Failure {
    return fail("store_io", `Could not ${action} ${path}: ${(error as Error).message}`, { details: { path } });
  }

  /** Runs `job` holding the lock; a lock that cannot be had is a `store_io` failure. */
  async function withLock<T>(job: () => Promise<Result<T>>): Promise<Result<T>> {
    let release: (() => Promise<void>) | undefined;
    try {
      // A waiting writer wakes the moment the holder releases (lock-handover.ts); proper-lockfile's lock and
      // stale takeover stay the cross-process contract. It gives up after 3 × staleMs.
      release = await lockCreatingFolder();
    } catch (error) {
      return fail(
        "store_io",
        `Could not lock ${path}: ${(error as Error).message}. Another writer may be stuck; retry shortly.`,
        { details: { path } },
      );
    }
    try {
      return await job();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Takes the lock; the store's folder is created only when the lock cannot be made for want of it. */
  async function lockCreatingFolder(): Promise<() => Promise<void>> {
    try {
      return await acquireHandoverLock(path, { staleMs });
    } catch (error) {
      if (!isMissing(error)) throw error;
      mkdirSync(dirname(path), { recursive: true });
      return await acquireHandoverLock(path, { staleMs });
    }
  }

  /**
   * Under the lock: applies each mutation of `batch` to a copy of the data as the one before left it (a
   * failed or throwing one leaves no trace), then writes once if any succeeded.
   */
  async function applyAndWrite(batch: PendingMutation<D>[], step: WriteStep): Promise<Result<{ data: D }>> {
    const loaded = await load(true);
    if (!loaded.ok) return loaded;
    // The cached object is shared with readers: every mutation works on a copy.
    let data = loaded.data;
    let changed = false;
    for (const mutation of batch) {
      const copy = structuredClone(data);
      try {
        mutation.outcome = await mutation.apply(copy);
      } catch (error) {
        mutation.thrown = { error };
        continue;
      }
      if (!mutation.outcome.ok) continue;
      beforeWrite?.(copy);
      data = copy;
      changed = true;
    }
    if (!changed) return { ok: true, data };
    step.tried = true;
    try {
      step.replacement = replaceFileSync(path, `${stringifyLosslessJson(data)}\n`);
    } catch (error) {
      // The temp file is gone again and the old file is untouched: say so, and what usually helps.
      const failure = ioFailure("write", error);
      return {
        ...failure,
        message: `${failure.message}. Nothing was changed; free some disk space (or fix the folder's permissions) and retry.`,
      };
    }
    cache = undefined;
    localWriteCounts.set(path, (localWriteCounts.get(path) ?? 0) + 1);
    return { ok: true, data };
  }

  /** Outside the lock: makes a write durable; a failure here is the failure of every mutation it carried. */
  function settle(step: WriteStep): Failure | undefined {
    if (!step.replacement) return undefined;
    try {
      // The next writer need not wait for this journal commit (atomic-write.ts says why that is safe), and
      // the callers hear of success only once the file and its rename are on disk.
      settleReplacement(path, step.replacement);
      return undefined;
    } catch (error) {
      return fail(
        "store_io",
        `The change to ${path} was saved, but flushing it to disk failed: ${(error as Error).message}. Check the disk before relying on it.`,
        { details: { path, written: true } },
      );
    }
  }

  /** Carries `batch` through one locked write and tells each caller its result. */
  async function writeBatch(batch: PendingMutation<D>[]): Promise<void> {
    const step: WriteStep = { tried: false };
    const written = await withLock(() => applyAndWrite(batch, step));
    const shared = written.ok ? settle(step) : written;
    // A failed write (a full disk) may be failing for leftovers of killed writers: clear them for the retry.
    if (step.tried && (!step.replacement || sweepIsDue(path))) await sweepStaleTemps(path);
    for (const mutation of batch) {
      if (mutation.thrown) mutation.reject(mutation.thrown.error);
      else if (mutation.outcome && !(mutation.outcome.ok && shared)) mutation.resolve(mutation.outcome);
      // Not applied (no lock, an unreadable file), or applied but not written or not on disk.
      else mutation.resolve(shared ?? fail("store_io", `${path} was not written.`, { details: { path } }));
    }
  }

  const queue = createMutationQueue<D>(path, writeBatch);

  return {
    path,
    localWrites: () => localWriteCounts.get(path) ?? 0,
    async read() {
      const loaded = await load();
      if (!loaded.ok) return loaded;
      return { ok: true, data: loaded.data };
    },
    mutate<T>(apply: (data: D) => MutationOutcome<T>) {
      return queue.add(apply);
    },
  };
}

/** How far a write got: tried (something to write), and the replacement to settle once written. */
interface WriteStep {
  tried: boolean;
  replacement?: Replacement;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === "ENOENT";
}
