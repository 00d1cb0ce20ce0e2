import type { Failure } from "../projects/result.ts";

/** Placeholders of the fields a failure can ask to set, as `/edit` and `planbot projects edit` spell them. */
const PLACEHOLDER: Record<string, string> = { repo: "R", branch: "B", base: "M" };

/**
 * The field a failure asks to set (`details.field`: repo, branch or base; base when it names none) and the
 * option that sets it, e.g. `--base M`: chats put it after `/edit <slug>`, the CLI after `planbot projects edit <slug>`.
 */
export function editHintOf(failure: Failure): { field: string; flag: string } {
  const asked = typeof failure.details?.field === "string" ? failure.details.field : "base";
  const field = asked in PLACEHOLDER ? asked : "base";
  return { field, flag: `--${field} ${PLACEHOLDER[field]}` };
}
