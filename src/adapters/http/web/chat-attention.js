// What the conversation does for a keyboard and a screen reader: where focus goes after a planner turn, and
// from when on new messages are read out.
import { useEffect, useRef, useState } from "preact/hooks";
import { focusIsFree } from "./page-focus.js";

/**
 * Once a turn ends, the cursor goes back to the answer box when the turn took focus away: the pressed button was
 * disabled while the planner thought, or Start planning was replaced by the composer. A turn that closed the
 * conversation (Stop, Finish) took the answer box with it: focus goes to the note in its place (`closed`), which
 * says no conversation is open, with Plan again next. Focus a person moved elsewhere meanwhile stays where they
 * put it. (During the turn the box is read-only, not disabled, so focus that was in it stays.)
 */
export function useFocusAfterTurn(pending, composer, closed) {
  const during = useRef(false);
  useEffect(() => {
    if (pending) {
      during.current = true;
      return;
    }
    if (!during.current) return;
    during.current = false;
    if (focusIsFree()) (composer.current ?? closed.current)?.focus();
  }, [pending]);
}

/**
 * Whether the message list is a live region yet: only once the stored conversation (`history`, null until read)
 * is shown, so opening the page reads out what is new from then on, not the whole conversation so far.
 */
export function useAnnounceOnceShown(history) {
  const [announce, setAnnounce] = useState(false);
  useEffect(() => {
    if (history !== null) setAnnounce(true);
  }, [history]);
  return announce;
}
