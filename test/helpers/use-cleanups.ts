/**
 * One afterEach for everything a test started: register a clean-up where the thing is made, and it runs
 * after the test — last registered first, so a runtime stops before the fake server it talks to closes —
 * and then the temp folders of the file are removed. Replaces the per-file arrays of stacks, fakes and
 * children, each with its own loop in afterEach.
 *
 * ```ts
 * const { temp, defer } = useCleanups();
 * const fake = await startFakeTelegram();
 * defer(() => fake.close());
 * ```
 */
import type { ChildProcess } from "node:child_process";
import type { ResultPromise } from "execa";
import { afterEach } from "vitest";
import { createTempDirs, type TempDirs } from "./temp-dir.ts";

/** What {@link useCleanups} gives a test file. */
export interface Cleanups {
  /** Temp folders, removed after every test (after the deferred clean-ups). */
  temp: TempDirs;
  /** Runs `cleanup` after the current test, before the ones deferred earlier. */
  defer(cleanup: () => unknown): void;
}

/** Registers the afterEach hook of this test file and returns how to add to it. */
export function useCleanups(): Cleanups {
  const temp = createTempDirs();
  const pending: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of pending.splice(0).reverse()) await cleanup();
    await temp.cleanup();
  });
  return { temp, defer: (cleanup) => void pending.push(cleanup) };
}

/** SIGKILLs the process group of a child started with `detached: true` (a group already gone is fine). */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** SIGKILLs an execa child and waits until it has exited (one that already ended is fine): defer it for a child a test starts. */
export async function killAndWait(child: ResultPromise): Promise<void> {
  child.kill("SIGKILL");
  await child.catch(() => undefined);
}
