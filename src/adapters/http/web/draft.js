// What a person typed and has not sent yet, kept in the tab's sessionStorage: it survives a reload, the
// login form after the session ended, and a planbot restart, and goes when it is sent or the tab is closed.
// A planning answer is one text; a form (Edit, New project) keeps its values as one JSON object.
import { html } from "htm/preact";
import { useState } from "preact/hooks";

function read(key) {
  try {
    return sessionStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

function write(key, value) {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage full or refused (a private window): the draft lives in the page only.
  }
}

/** `[draft, setDraft]` like useState(""), kept under `planbot:draft:<name>` in sessionStorage. */
export function useDraft(name) {
  const key = `planbot:draft:${name}`;
  const [draft, setState] = useState(() => read(key));
  const setDraft = (value) => {
    write(key, value);
    setState(value);
  };
  return [draft, setDraft];
}

/** Whether an unsent form draft is kept under `planbot:draft:<name>` (a form opens itself on load then). */
export function hasDraft(name) {
  return readValues(`planbot:draft:${name}`) !== null;
}

/** Drops the form draft `name` (the form was closed: a closed form keeps nothing, as before drafts). */
export function forgetDraft(name) {
  write(`planbot:draft:${name}`, "");
}

function readValues(key) {
  try {
    const values = JSON.parse(read(key) || "null");
    return values && typeof values === "object" && !Array.isArray(values) ? values : null;
  } catch {
    return null;
  }
}

function sameValues(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? "") !== (b[key] ?? "")) return false;
  return true;
}

/**
 * An unsent form's values, kept as JSON under `planbot:draft:<name>` like an answer draft: from the first
 * change until the form is sent, its draft discarded, or the form closed; a failed send keeps it.
 * `saved`: the values found on load (null: none); `restored`: whether the form still shows them (for its
 * note); `keep(values, untouched)` stores them, or drops the draft when they are `untouched` again;
 * `forget()` drops it.
 */
export function useFormDraft(name) {
  const key = `planbot:draft:${name}`;
  const [saved] = useState(() => readValues(key));
  const [restored, setRestored] = useState(saved !== null);
  return {
    saved,
    restored,
    keep(values, untouched) {
      write(key, sameValues(values, untouched) ? "" : JSON.stringify(values));
    },
    forget() {
      write(key, "");
      setRestored(false);
    },
  };
}

/** The note a form shows over a restored draft, with the way to drop it. */
export function RestoredDraftNote({ draft, onDiscard }) {
  if (!draft.restored) return null;
  return html`<p class="muted draft-note" role="status">
    An unsent draft was restored.
    <button type="button" class="link" onClick=${onDiscard}>Discard draft</button>
  </p>`;
}
