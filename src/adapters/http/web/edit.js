// The project page's Edit form: fix a project's repository, branch, base or description in place
// (POST /api/projects/<slug>/edit, the same rules as /edit in a chat), then say what changed. What is typed
// is kept in the tab, per project, until it is saved (draft.js): a reload brings the form back as it was.
import { html } from "htm/preact";
import { useRef, useState } from "preact/hooks";
import { problemOf, problemText, useProblemWords } from "./action-problem.js";
import { ApiError, api, projectPath } from "./api.js";
import { RestoredDraftNote, useFormDraft } from "./draft.js";
import { closeOnEscape, focusFirstField, useFocusOnProblem, useFormFocus } from "./form-focus.js";

/** Field names as the API's answer names them → their labels here. */
const LABELS = { repo: "Repository", branch: "Branch", base: "Base branch", description: "Description" };

/** One change as a person reads it: `Base branch: nosuch → main`. */
function changeText(change) {
  return `${LABELS[change.field] ?? change.field}: ${change.from ?? "(default)"} → ${change.to}`;
}

/** The form's values before anything is typed: the project's current ones. */
function prefill(project) {
  // The branch shown may be derived (prd.json, ralph/<slug>), so its field starts empty: empty means "as it is".
  return {
    description: project.description ?? "",
    repo: project.repo ?? "",
    branch: "",
    base_branch: project.base_branch ?? "",
  };
}

/** The Edit button and, once opened, its form prefilled with the project's current values (or a kept draft). */
export function EditProject({ project }) {
  const draftName = `edit:${project.slug.toLowerCase()}`;
  const draft = useFormDraft(draftName);
  // Open at once when this tab kept an unsent edit of this project (a reload, a new login).
  const [open, setOpen] = useState(draft.saved !== null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const words = useProblemWords(problem);
  const [invalid, setInvalid] = useState([]);
  const [done, setDone] = useState(null);
  // Controlled fields: a live update of the project re-renders the page, and must not undo what is typed.
  const [values, setValues] = useState(() => draft.saved ?? {});
  // What the form held before anything was typed: values equal to it again are no draft.
  const [untouched, setUntouched] = useState(() => prefill(project));
  const form = useRef(null);
  const opener = useRef(null);
  useFormFocus(open, form, opener);
  useFocusOnProblem(problem, form);
  const bind = (name) => ({
    name,
    value: values[name] ?? "",
    onInput: (event) => {
      const next = { ...values, [name]: event.currentTarget.value };
      setValues(next);
      draft.keep(next, untouched);
    },
    "aria-invalid": invalid.includes(name),
  });
  /** The form with the project's current values, nothing typed. */
  function reset() {
    const fresh = prefill(project);
    setUntouched(fresh);
    setValues(fresh);
    setProblem(null);
    setInvalid([]);
  }
  function start() {
    reset();
    setDone(null);
    setOpen(true);
  }
  function discard() {
    draft.forget();
    reset();
    focusFirstField(form);
  }
  function close() {
    draft.forget();
    setOpen(false);
  }
  async function submit(event) {
    event.preventDefault();
    const data = values;
    setBusy(true);
    setProblem(null);
    setInvalid([]);
    try {
      const answer = await api("POST", projectPath(project.slug, "edit"), data);
      const lines = answer.changed ? answer.changes.map(changeText) : ["Nothing changed: it already had those values."];
      if (answer.old_clone)
        lines.push(
          `Its workspace ${answer.old_clone} still holds a clone of the old repository: move it away before you plan or run it again.`,
        );
      draft.forget();
      setDone(lines);
      setOpen(false);
    } catch (error) {
      const fields = error instanceof ApiError && error.body.fields ? error.body.fields : {};
      const messages = Object.values(fields);
      setProblem(messages.length ? problemText(messages.join("\n")) : problemOf(error));
      setInvalid(Object.keys(fields));
    } finally {
      setBusy(false);
    }
  }
  // What a save changed, in a status that is there, empty, before it (open or closed, the same element): a live
  // region added together with its words is often not read, and the save swaps the form for the Edit button.
  const said = html`<div role="status" class="edit-saved">${open ? null : (done ?? []).map((line) => html`<p class="note">${line}</p>`)}</div>`;
  if (!open)
    return html`<div class="edit-project">
      <button type="button" ref=${opener} onClick=${start}>Edit</button>
      ${project.error_fix && !done ? html`<span class="muted fix-hint">The error above is fixed by setting its ${(LABELS[project.error_fix] ?? project.error_fix).toLowerCase()}: Edit.</span>` : null}
      ${said}
    </div>`;
  return html`<div class="edit-project">${editForm()}${null}${said}</div>`;

  function editForm() {
    return html`<form class="panel" ref=${form} onSubmit=${submit} onKeyDown=${closeOnEscape(draftName, close)} aria-label="Edit project">
    <h2>Edit ${project.slug}</h2>
    <${RestoredDraftNote} draft=${draft} onDiscard=${discard} />
    <div class="grid">
      <label class="wide">Description <textarea rows="3" ...${bind("description")}></textarea></label>
      <label>Repository <input ...${bind("repo")} placeholder="defaults to the slug" autocomplete="off" /></label>
      <label>Branch <input ...${bind("branch")} placeholder=${project.branch ? `now ${project.branch}` : ""} autocomplete="off" /></label>
      <label>Base branch <input ...${bind("base_branch")} placeholder="main" autocomplete="off" /></label>
    </div>
    <p class="muted">Empty fields stay as they are. Not while it is being planned or run; a new repository or branch not once its work was pushed.</p>
    ${words ? html`<p class="alert pre-line" role="alert" tabindex="-1">${words}</p>` : null}
    <div class="actions"><button class="primary" disabled=${busy}>${busy ? "Saving…" : "Save"}</button> <button type="button" onClick=${close}>Close</button></div>
  </form>`;
  }
}
