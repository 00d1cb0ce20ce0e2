import { FIXABLE_FIELDS, fixableField, type FixableField } from "../projects/error-fix.ts";
import type { Failure } from "../projects/result.ts";

/** The option that sets `field`, e.g. `--base M`: chats put it after `/edit <slug>`, the CLI after `planbot projects edit <slug>`. */
export function editFlag(field: FixableField): string {
  return `--${field} ${FIXABLE_FIELDS[field]}`;
}

/** The field a failure asks to set (`details.field`; base when it names none) and the option that sets it. */
export function editHintOf(failure: Failure): { field: FixableField; flag: string } {
  const field = fixableField(failure) ?? "base";
  return { field, flag: editFlag(field) };
}
