import {
  discardTempSync,
  type PreparedTemp,
  prepareTempSync,
  type Replacement,
  replaceFileSync,
  settleReplacement,
  sweepIsDue,
  sweepStaleTemps,
} from "./atomic-write.ts";
import { createJsonFileReader, type JsonParser } from "./json-file-reader.ts";
import { stringifyLosslessJson } from "./lossless-json.ts";
import { createMutationQueue, type PendingMutation } from "./mutation-queue.ts";
import { operatorDetails } from "./operator-fix.ts";
import { fail, type Failure, type Result } from "./result.ts";
import { cloneData } from "./clone-data.ts";

export type { JsonParser } from "./json-file-reader.ts";

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

/**
 * The lock's code (proper-lockfile and graceful-fs with it), loaded by the first write: a command that only
 * reads, such as `planbot projects list`, starts without it.
 */
let storeLock: typeof import("./store-lock.ts") | undefined;

/** Writes per path made by this process: see {@link LockedJsonFile.localWrites}. */
const localWriteCounts = new Map<string, number>();

/** Creates a {@link LockedJsonFile} over `options.path`. */
export function createLockedJsonFile<D>(options: LockedJsonFileOptions<D>): LockedJsonFile<D> {
  const { path, parse, empty, beforeWrite } = options;
  const staleMs = Math.max(2000, options.staleMs ?? 5000);

  const reader = createJsonFileReader<D>({ path, parse, empty, localWrites: () => localWriteCounts.get(path) ?? 0 });

  /**
   * Under the lock: applies each mutation of `batch` to a copy of the data as the one before left it (a
   * failed or throwing one leaves no trace), then writes once if any succeeded.
   */
  async function applyAndWrite(batch: PendingMutation<D>[], step: WriteStep): Promise<Result<{ data: D }>> {
    const loaded = reader.loadLocked();
    if (!loaded.ok) return loaded;
    // The cached object is shared with readers: every mutation works on a copy.
    let data = loaded.data;
    let changed = false;
    for (const mutation of batch) {
      const copy = cloneData(data);
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
      const prepared = step.prepared;
      step.prepared = undefined;
      step.replacement = replaceFileSync(path, `${stringifyLosslessJson(data)}\n`, prepared);
    } catch (error) {
      // The temp file is gone again and the old file is untouched: say so, and what usually helps.
      const failure = reader.ioFailure("write", error);
      return {
        ...failure,
        message: `${failure.message}. Nothing was changed; free some disk space (or fix the folder's permissions) and retry.`,
        details: { ...failure.details, ...operatorDetails("data_unwritable", error) },
      };
    }
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
        { details: { path, written: true, ...operatorDetails("data_unflushed", error) } },
      );
    }
  }

  /** Carries `batch` through one locked write and tells each caller its result. */
  async function writeBatch(batch: PendingMutation<D>[]): Promise<void> {
    // The temp file is made before the lock is waited for (atomic-write.ts, prepareTempSync says why).
    const step: WriteStep = { tried: false, prepared: prepareTempSync(path) };
    storeLock ??= await import("./store-lock.ts");
    const written = await storeLock
      .withStoreLock(path, staleMs, () => applyAndWrite(batch, step))
      // Kept open under the lock (json-file-reader.ts); closed now even when a mutation threw.
      .finally(() => reader.closeFreedPins());
    if (step.prepared) discardTempSync(step.prepared);
    // Outside the lock, while the new file is still open: what this process wrote is what it reads next.
    if (written.ok && step.replacement) reader.wrote(written.data, step.replacement.fd);
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
      const loaded = reader.load();
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
  /** The temp file made ready before the lock, until the write takes it. */
  prepared?: PreparedTemp | undefined;
  replacement?: Replacement;
}
