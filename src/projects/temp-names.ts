import { basename, dirname, join } from "node:path";
import { randomHex } from "./random-hex.ts";

/**
 * The names a store writer gives the files it keeps beside its target, and the pattern a sweep finds a
 * killed writer's leftovers by. Every name carries the writer's PID, so a sweep can tell a live writer's
 * file from a dead one's (atomic-write.ts).
 */

/**
 * Unique per process (a PID can come back after a crash), so a temp name needs no random bytes per write;
 * drawn at the first write, so a process that only reads never loads node:crypto.
 */
let processTag: string | undefined;
let tempCounter = 0;

/** `.<name>.<pid>.<hex>`, the stem of a temp (or superseded) file of `target`. */
export function tempStem(target: string): string {
  tempCounter += 1;
  processTag ??= randomHex(4);
  return join(dirname(target), `.${basename(target)}.${process.pid}.${processTag}${tempCounter.toString(16)}`);
}

/**
 * What `target`'s writers leave beside it while they work, and a killed one leaves for good: temp files
 * `.<name>.<pid>.<hex>.tmp`, superseded files' second names `.<name>.<pid>.<hex>.old`, and lock folders
 * released aside `<name>.lock.released.<pid>.<hex>` (sync-lockfile.ts). The PID is group 1 or 2.
 */
export function leftoverPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `^(?:\\.${name}\\.(\\d+)\\.[0-9a-f]+\\.(?:tmp|old)|${name}\\.lock\\.released\\.(\\d+)\\.[0-9a-f]+)$`,
  );
}
