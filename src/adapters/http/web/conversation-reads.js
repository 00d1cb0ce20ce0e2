// Reading a planning conversation for the page: its state and transcript, read again whenever it may have moved.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { problemOf } from "./action-problem.js";
import { api, projectPath } from "./api.js";
import { onPlannerMessage, onPlannerTurn } from "./live.js";

/**
 * The conversation of `slug` as last read: `history` (the transcript's messages) and `session` (its state),
 * both null until the first read; `readProblem`, why the last read failed (gone with the next that works, unlike
 * an action's problem); and `reload`, which reads again and resolves once the page shows the newest read. It
 * reads on its own when any of `rereadOn` changes, and when the live stream tells of a planner message or turn of
 * the project, from any chat.
 */
export function useConversationReads(slug, rereadOn) {
  const [history, setHistory] = useState(null);
  const [session, setSession] = useState(null);
  const [readProblem, setReadProblem] = useState(null);

  // Reads overlap when the stream tells of a turn while the page reads for its own. A read shows only if no read
  // begun after it has shown, so a read begun before a turn ended cannot bring the turn back after a later read
  // showed it answered; a later read that fails does not keep an earlier one from showing, so what that one
  // learned (planbot took the answer, say) is not lost because planbot went away meanwhile. A read that was
  // overtaken resolves once the newest has shown (the page's own turn drops its "thinking" line after that).
  const newestRead = useRef(null);
  const started = useRef(0);
  const shown = useRef(0);
  // Another project's conversation, read before the page moved on, never shows.
  const current = useRef(slug);
  current.current = slug;
  const reload = useCallback(() => {
    const order = ++started.current;
    const read = (async () => {
      try {
        // The state before the transcript: a turn the state shows ended is in the transcript read after it
        // (read together, the transcript could predate the answer while the state already has no pending turn).
        const state = await api("GET", projectPath(slug, "plan/state"));
        const transcript = await api("GET", projectPath(slug, "plan/transcript"));
        if (order < shown.current || current.current !== slug) return newestRead.current;
        shown.current = order;
        setHistory(Array.isArray(transcript.history) ? transcript.history : []);
        setSession(state);
        if (newestRead.current === read) setReadProblem(null);
        if (newestRead.current !== read) return newestRead.current;
      } catch (error) {
        if (newestRead.current !== read) return newestRead.current;
        setReadProblem(
          problemOf(error, {
            text: `The conversation could not be read: ${error.message}`,
            lead: "The conversation could not be read",
          }),
        );
      }
    })();
    newestRead.current = read;
    return read;
  }, [slug]);

  useEffect(() => void reload(), [reload, ...rereadOn]);
  useEffect(
    () => onPlannerMessage((event) => event.slug?.toLowerCase() === slug.toLowerCase() && reload()),
    [slug, reload],
  );
  // A turn started or ended anywhere (Telegram, Discord, the terminal, another tab): planbot tells the stream as it
  // happens, so the member's message and the "thinking" line show while the planner works, and its answer after.
  useEffect(
    () => onPlannerTurn((event) => event.slug?.toLowerCase() === slug.toLowerCase() && reload()),
    [slug, reload],
  );
  return { history, session, readProblem, reload };
}
