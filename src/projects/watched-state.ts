import { createHash } from "node:crypto";
import type { ProjectList, ProjectRecord } from "./project-list.ts";

/** The current list plus a signature that changes exactly when the list does (echo-core's change detection). */
export interface WatchedState {
  sequence: number;
  signature: string;
  list: ProjectList;
}

/**
 * The state after a recomputation: the records sorted by slug with the store's version, signed; the
 * sequence moves only when the signature does. Undefined when nothing a reader sees has changed.
 */
export function nextWatchedState(
  state: WatchedState,
  records: Iterable<ProjectRecord>,
  version: number,
  fetchedAt: string,
): WatchedState | undefined {
  const projects = [...records].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  const signature = createHash("sha256").update(JSON.stringify(projects)).update(String(version)).digest("hex");
  if (signature === state.signature && state.sequence > 0) return undefined;
  return {
    sequence: state.sequence + 1,
    signature,
    list: { projects, version, fetchedAt, count: projects.length },
  };
}
