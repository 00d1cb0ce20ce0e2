// The answer box of an open planning conversation (Send, Next phase, Finish, Stop), and an answer kept after the
// conversation closed before it was sent.
import { html } from "htm/preact";
import { useEnterBreaksLine } from "./enter-key.js";

/**
 * The composer of an open conversation: `box` is the answer box's ref (focus returns there after a turn), `busy`
 * while a turn runs (the box turns read-only, the buttons off), `actions` what each button does. Enter sends on a
 * desktop (Shift+Enter breaks the line); on a phone Enter breaks the line and Send sends (enter-key.js).
 */
export function AnswerForm({ session, draft, setDraft, busy, box, actions }) {
  const { send, next, finish, stop } = actions;
  const complete = session.status === "complete";
  const enterBreaksLine = useEnterBreaksLine();
  // Send pressed from the answer box leaves the cursor there, as in a phone's chat app: the on-screen keyboard
  // stays up for the next answer, and the box is not left for a button the turn disables.
  const keepTyping = (event) => {
    if (document.activeElement === box.current) event.preventDefault();
  };
  const onKey = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !enterBreaksLine) send(event);
  };
  return html`<form class="composer" onSubmit=${send}>
    <label class="sr-only" for="composer-text">Your answer</label>
    <textarea id="composer-text" ref=${box} rows="3" placeholder=${complete ? "Ask for a change, or press Finish to approve the plan" : enterBreaksLine ? "Answer the planner" : "Answer the planner (Enter sends, Shift+Enter adds a line)"} value=${draft} onInput=${(event) => setDraft(event.currentTarget.value)} onKeyDown=${onKey} readOnly=${busy}></textarea>
    <div class="actions">
      <button class="primary" disabled=${busy || !draft.trim()} onMouseDown=${keepTyping}>Send</button>
      <button type="button" onClick=${next} disabled=${busy || complete}>${session.phase === "stories" ? "Write the plan" : "Next phase"}</button>
      <button type="button" class=${complete ? "primary" : ""} onClick=${finish} disabled=${busy}>Finish</button>
      <button type="button" class="danger" onClick=${stop} disabled=${busy}>Stop</button>
    </div>
  </form>`;
}

/**
 * An answer typed but not sent when the session ended (stopped elsewhere, or it expired): still shown and
 * editable, so it is not lost with the composer; it is sent once a conversation is open again.
 */
export function UnsentAnswer({ draft, setDraft }) {
  return html`<div class="composer unsent">
    <label for="composer-unsent">Your answer, not sent: the planning session ended before it was. It stays here; send it once planning is open again, or clear it.</label>
    <textarea id="composer-unsent" rows="3" value=${draft} onInput=${(event) => setDraft(event.currentTarget.value)}></textarea>
    <div class="actions"><button type="button" onClick=${() => setDraft("")}>Clear</button></div>
  </div>`;
}
