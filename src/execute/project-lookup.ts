import { findProject, type ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { validateSlug } from "../projects/validation.ts";

/**
 * The stored project a run command names: `invalid_slug` for a malformed slug (checked before the store is
 * read), `not_found` with the slug and `details.next: "list"` when no project has it. The failure carries
 * data only; each surface words the way forward (the chat as `/status`, the CLI as `planbot projects list`).
 * Shared by the local and the queue executor, which look a project up the same way.
 */
export async function readProject(store: ProjectStore, slug: string): Promise<Result<{ entry: ProjectEntry }>> {
  const problem = validateSlug(slug);
  if (problem) return fail("invalid_slug", problem);
  const read = await store.read();
  if (!read.ok) return read;
  const entry = findProject(read.file, slug);
  if (!entry) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
  return { ok: true, entry };
}
