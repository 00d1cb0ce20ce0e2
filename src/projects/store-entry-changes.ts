import type { ProjectEntry } from "./schemas.ts";

/**
 * Remembers each store entry as last seen (by lower-case name) so a store write marks dirty only the
 * projects whose entry changed, appeared or vanished, not every project in the list.
 */
export interface StoreEntryChanges {
  /** The names whose entry differs from the last call (a vanished entry by its lower-case name). */
  since(entries: readonly ProjectEntry[]): Set<string>;
}

/** Creates a {@link StoreEntryChanges} that has seen no entry yet. */
export function createStoreEntryChanges(): StoreEntryChanges {
  const entryJson = new Map<string, string>();
  return {
    since(entries) {
      const changed = new Set<string>();
      const seen = new Set<string>();
      for (const entry of entries) {
        if (!entry.name) continue;
        const key = entry.name.toLowerCase();
        seen.add(key);
        const json = JSON.stringify(entry);
        if (entryJson.get(key) !== json) {
          entryJson.set(key, json);
          changed.add(entry.name);
        }
      }
      for (const key of [...entryJson.keys()]) {
        if (!seen.has(key)) {
          entryJson.delete(key);
          changed.add(key);
        }
      }
      return changed;
    },
  };
}
