import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Temp folders for tests and benches, made under `os.tmpdir()` and removed again.
 *
 * ```ts
 * const temp = createTempDirs();
 * afterEach(() => temp.cleanup());
 * const dir = await temp.make("store-");
 * ```
 *
 * Free of vitest on purpose, so bench scripts and child-process helpers can use it too.
 */
export interface TempDirs {
  /** Makes a fresh empty folder `<tmpdir>/planbot-<prefix>XXXXXX` and remembers it for {@link TempDirs.cleanup}. */
  make(prefix?: string): Promise<string>;
  /** Removes every folder made so far (recursively, ignoring ones already gone). */
  cleanup(): Promise<void>;
}

/** Creates a {@link TempDirs} tracker. */
export function createTempDirs(): TempDirs {
  const made: string[] = [];
  return {
    async make(prefix = "") {
      const dir = await mkdtemp(join(tmpdir(), `planbot-${prefix}`));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      const dirs = made.splice(0);
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
    },
  };
}

/** Makes one temp folder outside any tracker; remove it with {@link removeTempDir}. */
export function makeTempDir(prefix = ""): Promise<string> {
  return mkdtemp(join(tmpdir(), `planbot-${prefix}`));
}

/** Removes a folder made by {@link makeTempDir} (recursively; a missing folder is fine). */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
