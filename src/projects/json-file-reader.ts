import { type BigIntStats, fstatSync, readFileSync, statSync } from "node:fs";
import { findSupersededCopy } from "./atomic-write.ts";
import { parseLosslessJson } from "./lossless-json.ts";
import { fail, type Failure, type Result } from "./result.ts";

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
   * This process just replaced the file with `data`, now open as `fd`: remember it as the file's content, so
   * the reads right after a write (a command's reply, the list) need not read and parse it again.
   */
  wrote(data: D, fd: number): void;
  /** A `store_io` failure naming the file. */
  ioFailure(action: string, error: unknown): Failure;
}

/** Creates the {@link JsonFileReader} of `options.path`. */
export function createJsonFileReader<D>(options: JsonFileReaderOptions<D>): JsonFileReader<D> {
  const { path, parse, empty } = options;
  let cache: { signature: string; data: D } | undefined;

  function ioFailure(action: string, error: unknown): Failure {
    return fail("store_io", `Could not ${action} ${path}: ${(error as Error).message}`, { details: { path } });
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
      { details: { path, problem, ...(copy ? { copy } : {}) } },
    );
  }

  /** This process's own writes count too: another instance over the same path may have written it within one
   * timestamp tick, to an inode number just freed, at the same size. */
  function signatureOf(info: BigIntStats): string {
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}:${options.localWrites()}`;
  }

  return {
    ioFailure,
    wrote(data, fd) {
      try {
        // The inode the name now points to, after the rename (which set its ctime): what load() will stat.
        const info = fstatSync(fd, { bigint: true });
        // A copy: callers of mutate may hold parts of `data`, and cached data is shared with every reader.
        cache = { signature: signatureOf(info), data: structuredClone(data) };
      } catch {
        cache = undefined;
      }
    },
    load(fresh = false) {
      let signature: string;
      try {
        const info = statSync(path, { bigint: true, throwIfNoEntry: false });
        if (!info) return { ok: true, data: empty(), cached: false };
        signature = signatureOf(info);
      } catch (error) {
        return ioFailure("read", error);
      }
      if (!fresh && cache?.signature === signature) return { ok: true, data: cache.data, cached: true };
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, data: empty(), cached: false };
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
    },
  };
}
