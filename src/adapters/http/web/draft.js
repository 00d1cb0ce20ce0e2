// What a person typed and has not sent yet, kept in the tab's sessionStorage: it survives a reload, the
// login form after the session ended, and a planbot restart, and goes when it is sent or the tab is closed.
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
