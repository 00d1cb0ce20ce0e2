/**
 * Whether a planner turn started elsewhere (another tab, Telegram, Discord) is still unanswered, judged from
 * the planning state and the transcript read after it. The turn is recorded a moment before its pending mark
 * clears, so a state read in that moment still shows the mark while the transcript already holds the message
 * and its answer: the turn is done then, and the page must not show the message twice under a "thinking" line.
 */
export function remoteTurnPending(session, history) {
  if (!session?.pending_response) return false;
  const mark = session.pending_message;
  if (!mark || !Array.isArray(history)) return true;
  const markedAt = Date.parse(mark.at);
  const asked = history.findLastIndex(
    (entry) => entry.role === "user" && entry.text?.startsWith(mark.text) && Date.parse(entry.at) >= markedAt,
  );
  return !(asked >= 0 && history.slice(asked + 1).some((entry) => entry.role === "assistant"));
}
