import type { CoreServices } from "../projects/core-services.ts";
import type { FieldChange, ProjectEdit } from "../projects/lifecycle.ts";
import type { Failure } from "../projects/result.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/** What `planbot projects edit` read from its command line. */
export interface EditRequest {
  slug: string;
  edit: ProjectEdit;
  json: boolean;
  expectedVersion: number | undefined;
}

/**
 * `planbot projects edit <slug> --repo R --branch B --base M --description "…"`: prints each change as
 * `field: old → new` (or that nothing changed, exit 0); a refusal goes through `failed` like every action.
 */
export async function runProjectsEdit(
  request: EditRequest,
  services: CoreServices,
  io: CliIo,
  failed: (failure: Failure) => number,
): Promise<number> {
  const { slug, edit, json, expectedVersion } = request;
  const result = await services.lifecycle.edit(slug, edit, expectedVersion === undefined ? {} : { expectedVersion });
  if (!result.ok) return failed(result);
  const { entry, version, changes, oldClone } = result;
  if (json) {
    io.out(JSON.stringify({ ...entry, version, changes, old_clone: oldClone }, null, 2));
    return EXIT.ok;
  }
  if (changes.length === 0) {
    io.out(`${entry.name}: nothing changed, it already has those values (version ${version})`);
    return EXIT.ok;
  }
  io.out([`${entry.name}: edited (version ${version})`, ...changes.map(changeLine)].join("\n"));
  if (oldClone)
    io.err(
      `note: ${oldClone} still holds a clone of the old repository: move it away before you plan or run ${entry.name} again (planbot never deletes a workspace).`,
    );
  return EXIT.ok;
}

/** `  base: nosuch → main`; an unset field reads `(default)`. */
function changeLine(change: FieldChange): string {
  const show = (value: string | null) => (value === null ? "(default)" : JSON.stringify(value));
  return `  ${change.field}: ${show(change.from)} → ${show(change.to)}`;
}
