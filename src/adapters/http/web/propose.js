// The "New project" form: proposes, then opens the project's page and starts planning there. What is typed
// is kept in the tab until it is proposed (draft.js): a reload brings the form back as it was.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { problemOf, problemText, useProblemWords } from "./action-problem.js";
import { ApiError, api } from "./api.js";
import { RestoredDraftNote, useFormDraft } from "./draft.js";
import { closeOnEscape, focusFirstField, useFocusOnProblem } from "./form-focus.js";
import { rememberProposed } from "./just-proposed.js";

/** The draft's name in sessionStorage: one New project form per tab. */
export const PROPOSE_DRAFT = "propose";

/** An untouched form. */
const EMPTY = { slug: "", description: "", repo: "", branch: "", base_branch: "", plan_now: true };

/** The propose form; `onClose` hides it (and drops its draft); `formRef` gets its element. */
export function ProposeForm({ onClose, formRef }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const words = useProblemWords(problem);
  useFocusOnProblem(problem, formRef);
  // The inputs the server named as wrong: marked (aria-invalid) so the eye and a screen reader find them.
  const [invalid, setInvalid] = useState([]);
  const draft = useFormDraft(PROPOSE_DRAFT);
  const [values, setValues] = useState(() => ({ ...EMPTY, ...draft.saved }));
  const change = (name, value) => {
    const next = { ...values, [name]: value };
    setValues(next);
    draft.keep(next, EMPTY);
  };
  const bind = (name) => ({
    name,
    value: values[name] ?? "",
    onInput: (event) => change(name, event.currentTarget.value),
    "aria-invalid": invalid.includes(name),
  });
  function discard() {
    draft.forget();
    setValues(EMPTY);
    setProblem(null);
    setInvalid([]);
    focusFirstField(formRef);
  }
  async function submit(event) {
    event.preventDefault();
    const { plan_now: planNow, ...data } = values;
    setBusy(true);
    setProblem(null);
    setInvalid([]);
    try {
      const created = await api("POST", "/api/projects/propose", data);
      draft.forget();
      rememberProposed(created.slug);
      location.hash = `#/p/${encodeURIComponent(created.slug)}${planNow ? "?start" : ""}`;
      onClose();
    } catch (error) {
      const fields = error instanceof ApiError && error.body.fields ? error.body.fields : {};
      // Each message already names its field ("slug "My App" is not valid: …"): shown as is, one per line.
      const messages = Object.values(fields);
      setProblem(messages.length ? problemText(messages.join("\n")) : problemOf(error));
      setInvalid(Object.keys(fields));
      const first = event.target.elements?.namedItem(Object.keys(fields)[0] ?? "");
      if (first && typeof first.focus === "function") first.focus();
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="panel propose" ref=${formRef} onSubmit=${submit} onKeyDown=${closeOnEscape(PROPOSE_DRAFT, onClose)} aria-label="New project">
    <h2>New project</h2>
    <${RestoredDraftNote} draft=${draft} onDiscard=${discard} />
    <div class="grid">
      <label>Slug <input ...${bind("slug")} required placeholder="my-app" autocomplete="off" /></label>
      <label class="wide">What should it do? <textarea ...${bind("description")} required rows="3" placeholder="A todo app with reminders."></textarea></label>
      <label>Repository <input ...${bind("repo")} placeholder="defaults to the slug" autocomplete="off" /></label>
      <label>Branch <input ...${bind("branch")} placeholder="ralph/<slug>" autocomplete="off" /></label>
      <label>Base branch <input ...${bind("base_branch")} placeholder="main" autocomplete="off" /></label>
      <label class="check"><input type="checkbox" name="plan_now" checked=${values.plan_now !== false} onChange=${(event) => change("plan_now", event.currentTarget.checked)} /> Start planning right away</label>
    </div>
    ${words ? html`<p class="alert pre-line" role="alert" tabindex="-1">${words}</p>` : null}
    <div class="actions"><button class="primary" disabled=${busy}>${busy ? "Proposing…" : "Propose"}</button> <button type="button" onClick=${onClose}>Close</button></div>
  </form>`;
}
