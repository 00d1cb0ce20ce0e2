import { code, escapeMarkup } from "../chat/reply.ts";

/** The stored reasons a session ends for, in words; any other reason is already words (the change watcher's, /cancel's). */
const REASON_WORDS: Readonly<Record<string, string>> = {
  stopped: `stopped with ${code("/stop")}`,
  replaced: "a new planning session of it started elsewhere",
  approved: "approved",
  start_failed: "it could not start",
};

/** Why a planning session ended (its `closed_reason`), as markup a person reads. */
export function endedReasonWords(reason: string): string {
  return REASON_WORDS[reason] ?? escapeMarkup(reason);
}
