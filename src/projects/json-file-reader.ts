import { type BigIntStats, close, closeSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { findSupersededCopy } from "./atomic-write.ts";
import { fileInTheWay } from "./make-folders.ts";
import { parseLosslessJson } from "./lossless-json.ts";
import { operatorDetails } from "./operator-fix.ts";
import { fail, type Failure, type Result } from "./result.ts";
import { cloneData } from "./clone-data.ts";

/** How a file's text becomes data: a failure here marks the file corrupt, and it is then never overwritten. */
export type JsonParser<D> = (value: unknown) => { ok: true; data: D } | { ok: false; problem: string };

/** Options of {@link createJsonFileReader}. */
export interface JsonFileReaderOptions<D> {
  path: string;
  parse: JsonParser<D>;
  /** The data a missing file stands for. */
  empty: () => D;
  /** This process's writes of the path so far: part of the cache's signature (locked-json-file.ts). */
  localWrites: () => number;
}

/**
 * Reads one JSON store, keeping the last parse while the file is unchanged. Synchronous throughout: every
 * command reads the store, a thread-pool round trip costs more than the stat or read itself on a busy
 * machine, and a mutation reads under the lock, where every hop is time all other writers wait.
 */
export interface JsonFileReader<D> {
  /** The data (shared with later reads until the file changes: treat as read-only); `fresh` skips the cache. */
  load(fresh?: boolean): Result<{ data: D; cached: boolean }>;
  /**
   * {@link load} with `fresh`, for a writer holding the file's lock: a pin whose close would free its file
   * stays open until {@link closeFreedPins}, which the writer calls once it has let go of the lock.
   */
  loadLocked(): Result<{ data: D; cached: boolean }>;
  /** Closes the pins {@link loadLocked} kept open, on this thread: see `remember`. */
  closeFreedPins(): void;
  /**
   * This process just replaced the file with `data`, now open as `fd`: remember it as the file's content, so
   * the reads right after a write (a command's reply, the list) need not read and parse it again.
   */
  wrote(data: D, fd: number): void;
  /** A `store_io` failure naming the file; a failed read carries `details.operator` (`store_unreadable`) and its errno. */
  ioFailure(action: string, error: unknown): Failure;
}

/** Creates the {@link JsonFileReader} of `options.path`. */
export function createJsonFileReader<D>(options: JsonFileReaderOptions<D>): JsonFileReader<D> {
  const { path, parse, empty } = options;
  let cache: CachedRead<D> | undefined;

  /** Pins kept open by {@link JsonFileReader.loadLocked} because closing them frees their file. */
  const freedPins: number[] = [];

  /**
   * Replaces the cache, closing the descriptor that pinned the previous file. When that file has no name
   * left (it was replaced and its other name removed), this close is its last and frees its inode and
   * blocks. Under the lock that step took most of the time the lock was held with writers contending, so
   * there it waits for the writer to let go (and the writer, about to wait for its own fsync, closes it on
   * its own thread: a thread-pool round trip cost more CPU than the close). A reader's load hands it to the
   * thread pool, so a chat's read does not wait for the disk. A file that still has a name is closed here.
   * `later` collects the freeing closes of a load under the lock.
   */
  function remember(next: CachedRead<D> | undefined, later?: number[]): void {
    if (cache && cache.fd !== next?.fd) closePin(cache.fd, later);
    cache = next;
  }

  /** {@link JsonFileReader.load}; under the lock, `later` gets the pins whose close would free their file. */
  function load(fresh: boolean, later?: number[]): Result<{ data: D; cached: boolean }> {
    if (!fresh && cache) {
      let info: BigIntStats | undefined;
      try {
        info = statSync(path, { bigint: true, throwIfNoEntry: false });
      } catch (error) {
        return ioFailure("read", error);
      }
      if (!info) return { ok: true, data: empty(), cached: false };
      if (cache.signature === signatureOf(info)) return { ok: true, data: cache.data, cached: true };
    }
    const read = readPinned();
    if (read === "missing") return { ok: true, data: empty(), cached: false };
    if (!read.ok) return read;
    let value: unknown;
    try {
      value = parseLosslessJson(read.text);
    } catch (error) {
      closeQuietly(read.fd);
      return corrupt(`not valid JSON (${(error as Error).message})`);
    }
    const parsed = parse(value);
    if (!parsed.ok) {
      closeQuietly(read.fd);
      return corrupt(parsed.problem);
    }
    remember({ signature: read.signature, data: parsed.data, fd: read.fd }, later);
    return { ok: true, data: parsed.data, cached: false };
  }

  function ioFailure(action: string, error: unknown): Failure {
    // A file planbot may not read (permissions, a folder in its place) is the operator's to fix, like a damaged
    // one; a failed write says what it is in locked-json-file.ts.
    const operator = action === "read" ? operatorDetails("store_unreadable", error) : {};
    // ENOTDIR names neither the file in the way nor the setting that put it there.
    const blocker = (error as NodeJS.ErrnoException).code === "ENOTDIR" ? fileInTheWay(path) : undefined;
    const why = blocker
      ? `${blocker} is a file, not a folder. Set PLANBOT_DATA_DIR to a folder`
      : (error as Error).message;
    return fail("store_io", `Could not ${action} ${path}: ${why}`, {
      details: { path, ...operator },
    });
  }

  /** A file that does not parse: say so, and name the copy a crashed writer kept, when there is one. */
  function corrupt(problem: string): Failure {
    const copy = findSupersededCopy(path, (text) => parse(parseLosslessJson(text)).ok);
    const restore = copy
      ? ` The version before the last write is still at ${copy}: if a crash damaged the file, move that copy over it.`
      : "";
    return fail(
      "store_corrupt",
      `${path} cannot be read: ${problem}. planbot will not overwrite it; fix or move the file, then retry.${restore}`,
      { details: { path, problem, ...(copy ? { copy } : {}), ...operatorDetails("store_unreadable") } },
    );
  }

  /** This process's own writes count too: another instance over the same path may have written it within one
   * timestamp tick, at the same size. */
  function signatureOf(info: BigIntStats): string {
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}:${options.localWrites()}`;
  }

  /** Opens the file and reads it through that one descriptor: its stat is the stat of exactly what is read. */
  function readPinned(): Result<{ fd: number; text: string; signature: string }> | "missing" {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
      return ioFailure("read", error);
    }
    try {
      const signature = signatureOf(fstatSync(fd, { bigint: true }));
      return { ok: true, fd, text: readFileSync(fd, "utf8"), signature };
    } catch (error) {
      closeQuietly(fd);
      return ioFailure("read", error);
    }
  }

  return {
    ioFailure,
    wrote(data, fd) {
      let pin: number | undefined;
      try {
        // The inode the name now points to, after the rename (which set its ctime): what load() will stat.
        const written = fstatSync(fd, { bigint: true });
        pin = openSync(path, "r");
        // Another writer may have replaced the file since the lock was let go: then there is nothing to keep.
        if (fstatSync(pin, { bigint: true }).ino !== written.ino) throw new Error("replaced already");
        // A copy: callers of mutate may hold parts of `data`, and cached data is shared with every reader.
        remember({ signature: signatureOf(written), data: cloneData(data), fd: pin });
      } catch {
        if (pin !== undefined) closeQuietly(pin);
        remember(undefined);
      }
    },
    load: (fresh = false) => load(fresh),
    loadLocked: () => load(true, freedPins),
    closeFreedPins() {
      for (let fd = freedPins.pop(); fd !== undefined; fd = freedPins.pop()) closeQuietly(fd);
    },
  };
}

/**
 * The last parse, and an open descriptor of the file it came from. The descriptor pins the inode: while it
 * is open, its number cannot be given to a new file, so a stat that shows the same inode, size and times
 * really is the same file — without it, a file written by two other processes within one timestamp tick
 * could get the freed number back at the same size and pass for the cached one.
 */
interface CachedRead<D> {
  signature: string;
  data: D;
  fd: number;
}

/**
 * Closes a pinning descriptor, unless the close frees the file (see `remember`): then it goes to `later`
 * when given, to the thread pool otherwise.
 */
function closePin(fd: number, later?: number[]): void {
  let unnamed: boolean;
  try {
    unnamed = fstatSync(fd).nlink === 0;
  } catch {
    return;
  }
  if (!unnamed) closeQuietly(fd);
  else if (later) later.push(fd);
  else close(fd, () => undefined);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
}
