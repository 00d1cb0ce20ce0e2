import type { ProjectEntry } from "../projects/schemas.ts";

/**
 * Approved entries, oldest approval first (entries without approved_at last, then in store order): the
 * order a batch of runs starts in, for the local executor and the queue alike.
 */
export function approvedInOrder(entries: readonly ProjectEntry[]): ProjectEntry[] {
  return entries
    .filter((entry) => (entry.status ?? "").toLowerCase() === "approved" && entry.name)
    .map((entry, index) => ({ entry, index, at: Date.parse(entry.approved_at ?? "") }))
    .sort((a, b) => {
      const aHas = Number.isFinite(a.at);
      const bHas = Number.isFinite(b.at);
      if (aHas !== bHas) return aHas ? -1 : 1;
      if (aHas && a.at !== b.at) return a.at - b.at;
      return a.index - b.index;
    })
    .map(({ entry }) => entry);
}
