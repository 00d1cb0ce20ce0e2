// Keyboard use of the page's inline forms (Edit, New project): opening one puts the cursor in its first
// field, closing it puts focus back on the button that opened it (not lost to the page's top), and Escape
// closes it like its Close button — asking first when it holds typing not sent yet, which closing drops.
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { hasDraft } from "./draft.js";

/**
 * Moves focus when `open` changes after the first render: into `form`'s first field on opening, back to
 * `opener` on closing. A form open from the start (a draft restored on load) takes no focus by itself.
 */
export function useFormFocus(open, form, opener) {
  const first = useRef(true);
  // In the same render as the form appears: a key pressed right after lands in the field, not on the page.
  useLayoutEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (open) focusFirstField(form);
    else opener.current?.focus();
  }, [open]);
}

/** A form's keydown handler: Escape runs `close` (once confirmed, while the draft `draftName` is kept). */
export function closeOnEscape(draftName, close) {
  return (event) => {
    if (event.key !== "Escape" || event.isComposing) return;
    event.preventDefault();
    if (hasDraft(draftName) && !confirm("Close this form? What you typed and did not send is dropped.")) return;
    close();
  };
}

/**
 * When a send is refused (`problem` set) and focus fell to the page (its button was disabled while it was
 * sent), puts it on the first field marked wrong, else on the form's message, so the keyboard is where the fix is.
 */
export function useFocusOnProblem(problem, form) {
  useEffect(() => {
    if (!problem || (document.activeElement && document.activeElement !== document.body)) return;
    form.current?.querySelector('[aria-invalid="true"], [role="alert"]')?.focus();
  }, [problem]);
}

/** Puts the cursor in `form`'s first field: after opening it, or after Discard draft (whose button goes). */
export function focusFirstField(form) {
  form.current?.querySelector("input, textarea, select")?.focus();
}
