// The project page's Edit form: fix a project's repository, branch, base or description in place
// (POST /api/projects/<slug>/edit, the same rules as /edit in a chat), then say what changed.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { ApiError, api, projectPath } from "./api.js";

/** Field names as the API's answer names them → their labels here. */
const LABELS = { repo: "Repository", branch: "Branch", base: "Base branch", description: "Description" };

/** One change as a person reads it: `Base branch: nosuch → main`. */
function changeText(change) {
  return `${LABELS[change.field] ?? change.field}: ${change.from ?? "(default)"} → ${change.to}`;
}

/** The Edit button and, once opened, its form prefilled with the project's current values. */
export function EditProject({ project }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [invalid, setInvalid] = useState([]);
  const [done, setDone] = useState(null);
  // Controlled fields: a live update of the project re-renders the page, and must not undo what is typed.
  const [values, setValues] = useState({});
  const bind = (name) => ({
    name,
    value: values[name] ?? "",
    onInput: (event) => {
      const value = event.currentTarget.value;
      setValues((before) => ({ ...before, [name]: value }));
    },
    "aria-invalid": invalid.includes(name),
  });
  function start() {
    // The branch shown may be derived (prd.json, ralph/<slug>), so its field starts empty: empty means "as it is".
    setValues({
      description: project.description ?? "",
      repo: project.repo ?? "",
      branch: "",
      base_branch: project.base_branch ?? "",
    });
    setDone(null);
    setProblem(null);
    setInvalid([]);
    setOpen(true);
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
      setDone(lines);
      setOpen(false);
    } catch (error) {
      const fields = error instanceof ApiError && error.body.fields ? error.body.fields : {};
      const messages = Object.values(fields);
      setProblem(messages.length ? messages.join("\n") : error.message);
      setInvalid(Object.keys(fields));
    } finally {
      setBusy(false);
    }
  }
  if (!open)
    return html`<div class="edit-project">
      <button type="button" onClick=${start}>Edit</button>
      ${project.error_fix && !done ? html`<span class="muted fix-hint">The error above is fixed by setting its ${(LABELS[project.error_fix] ?? project.error_fix).toLowerCase()}: Edit.</span>` : null}
      ${(done ?? []).map((line) => html`<p class="note" role="status">${line}</p>`)}
    </div>`;
  return html`<form class="panel edit-project" onSubmit=${submit} aria-label="Edit project">
    <h2>Edit ${project.slug}</h2>
    <div class="grid">
      <label class="wide">Description <textarea rows="3" ...${bind("description")}></textarea></label>
      <label>Repository <input ...${bind("repo")} placeholder="defaults to the slug" autocomplete="off" /></label>
      <label>Branch <input ...${bind("branch")} placeholder=${project.branch ? `now ${project.branch}` : ""} autocomplete="off" /></label>
      <label>Base branch <input ...${bind("base_branch")} placeholder="main" autocomplete="off" /></label>
    </div>
    <p class="muted">Empty fields stay as they are. Not while it is being planned or run; a new repository or branch not once its work was pushed.</p>
    ${problem ? html`<p class="alert pre-line" role="alert">${problem}</p>` : null}
    <div class="actions"><button class="primary" disabled=${busy}>${busy ? "Saving…" : "Save"}</button> <button type="button" onClick=${() => setOpen(false)}>Close</button></div>
  </form>`;
}
