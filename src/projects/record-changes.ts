import type { ProjectLister, ProjectRecord } from "./project-list.ts";

/** One project's record before and after a change; `undefined` on a side where it does not exist. */
export interface RecordChange {
  slug: string;
  before: ProjectRecord | undefined;
  after: ProjectRecord | undefined;
}

/**
 * Stores `after` as the record under `key` (deleting it when undefined) and returns the change, or
 * undefined when the record is the same as before: a recomputation that changed nothing publishes nothing.
 */
export function applyRecord(
  records: Map<string, ProjectRecord>,
  key: string,
  after: ProjectRecord | undefined,
  slug: string,
): RecordChange | undefined {
  const before = records.get(key);
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined;
  if (after) records.set(key, after);
  else records.delete(key);
  return { slug: after?.slug ?? before?.slug ?? slug, before, after };
}

/**
 * Looks again at `slugs` (or, with `all`, at every project in one pass: per-slug look-ups would re-read
 * the store once per project) and applies what changed to `records`. A project the lister cannot read
 * is reported and skipped; a full pass that cannot list returns undefined and changes nothing.
 */
export async function collectChanges(
  records: Map<string, ProjectRecord>,
  lister: Pick<ProjectLister, "build" | "get">,
  slugs: ReadonlySet<string>,
  all: boolean,
  report: (error: unknown) => void,
): Promise<RecordChange[] | undefined> {
  const changed: RecordChange[] = [];
  if (all) {
    const result = await lister.build();
    if (!result.ok) {
      report(new Error(result.message));
      return undefined;
    }
    const fresh = new Map(result.list.projects.map((record) => [record.slug.toLowerCase(), record]));
    for (const key of new Set([...records.keys(), ...fresh.keys()])) {
      const change = applyRecord(records, key, fresh.get(key), key);
      if (change) changed.push(change);
    }
    return changed;
  }
  for (const slug of slugs) {
    const result = await lister.get(slug);
    if (!result.ok) {
      report(new Error(result.message));
      continue;
    }
    const change = applyRecord(records, (result.record?.slug ?? slug).toLowerCase(), result.record, slug);
    if (change) changed.push(change);
  }
  return changed;
}
