import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFileSync, settleReplacement, sweepStaleTemps } from "./atomic-write.ts";
import { acquireHandoverLock } from "./lock-handover.ts";
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
 * A JSON file that many processes mutate safely: every mutation holds a proper-lockfile lock, re-reads,
 * applies, writes a temp file, fsyncs it and renames it over; it fsyncs the folder after releasing the lock. A file that exists but
 * does not parse is reported by every read and refused by every mutation, so nobody's data is replaced
 * by an empty store (echo-core's dashboard read a corrupt file as empty).
 */
export interface LockedJsonFile<D> {
  readonly path: string;
  /** The current data (treat as read-only; it may be shared with later reads until the file changes). */
  read(): Promise<Result<{ data: D }>>;
  /** Locks, re-reads, applies and writes; `apply` may return a failure to leave the file untouched. */
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

/** Serialises mutations of one path inside this process, so only other processes contend on the lock. */
const inProcessQueues = new Map<string, Promise<unknown>>();

function enqueue<T>(key: string, job: () => Promise<T>): Promise<T> {
  const previous = inProcessQueues.get(key) ?? Promise.resolve();
  const run = previous.then(job, job);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  inProcessQueues.set(key, settled);
  void settled.then(() => {
    if (inProcessQueues.get(key) === settled) inProcessQueues.delete(key);
  });
  return run;
}

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
    return fail(
      "store_corrupt",
      `${path} cannot be read: ${problem}. planbot will not overwrite it; fix or move the file, then retry.`,
      { details: { path, problem } },
    );
  }

  function ioFailure(action: string, error: unknown): Failure {
    return fail("store_io", `Could not ${action} ${path}: ${(error as Error).message}`, { details: { path } });
  }

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

  /** Applies `apply` to a copy of the current data and writes it; `superseded` is set once written. */
  async function applyAndWrite<T>(apply: (data: D) => MutationOutcome<T>, step: WriteStep): Promise<Result<T>> {
    const loaded = await load(true);
    if (!loaded.ok) return loaded;
    // The cached object is shared with readers: work on a copy so a failed mutation changes nothing.
    const data = structuredClone(loaded.data);
    const outcome = await apply(data);
    if (!outcome.ok) return outcome;
    beforeWrite?.(data);
    step.tried = true;
    try {
      step.superseded = replaceFileSync(path, `${stringifyLosslessJson(data)}\n`);
    } catch (error) {
      // The temp file is gone again and the old file is untouched: say so, and what usually helps.
      const failure = ioFailure("write", error);
      return {
        ...failure,
        message: `${failure.message}. Nothing was changed; free some disk space (or fix the folder's permissions) and retry.`,
      };
    }
    cache = undefined;
    step.written = true;
    localWriteCounts.set(path, (localWriteCounts.get(path) ?? 0) + 1);
    return outcome;
  }

  return {
    path,
    localWrites: () => localWriteCounts.get(path) ?? 0,
    async read() {
      const loaded = await load();
      if (!loaded.ok) return loaded;
      return { ok: true, data: loaded.data };
    },
    mutate<T>(apply: (data: D) => MutationOutcome<T>) {
      return enqueue(path, async () => {
        const step: WriteStep = { tried: false, written: false };
        const result = await withLock<T>(() => applyAndWrite(apply, step));
        // Outside the lock: the next writer need not wait for this journal commit (atomic-write.ts says why
        // that is safe), and the caller hears of success only once the rename is on disk.
        if (!step.written) {
          // A failed write (a full disk) may be failing for leftovers of killed writers: clear them for the retry.
          if (step.tried) await sweepStaleTemps(path);
          return result;
        }
        try {
          await settleReplacement(path, step.superseded);
        } catch (error) {
          return fail(
            "store_io",
            `The change to ${path} was saved, but flushing its folder to disk failed: ${(error as Error).message}. Check the disk before relying on it.`,
            { details: { path, written: true } },
          );
        }
        return result;
      });
    },
  };
}

/** How far a mutation got: a write was tried, it was written, and the superseded file's second name. */
interface WriteStep {
  tried: boolean;
  written: boolean;
  superseded?: string;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === "ENOENT";
}
