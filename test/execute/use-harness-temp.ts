/**
 * The temp folders of a file of executor tests, and the clean-up after all its tests: every harness made
 * from them (its Ralph process groups and stores), then the folders.
 */
import { afterAll } from "vitest";
import { createTempDirs, type TempDirs } from "../helpers/temp-dir.ts";
import { cleanupHarnesses } from "./harness.ts";

/** Registers the afterAll hook and returns the file's {@link TempDirs}. */
export function useHarnessTemp(): TempDirs {
  const temp = createTempDirs();
  afterAll(async () => {
    await cleanupHarnesses();
    await temp.cleanup();
  });
  return temp;
}
