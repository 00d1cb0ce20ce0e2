// The "New project" form: proposes, then opens the project's page and starts planning there.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { ApiError, api } from "./api.js";

/** The propose form; `onClose` hides it. */
export function ProposeForm({ onClose }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  // The inputs the server named as wrong: marked (aria-invalid) so the eye and a screen reader find them.
  const [invalid, setInvalid] = useState([]);
  async function submit(event) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget));
    const planNow = data.plan_now === "on";
    delete data.plan_now;
    setBusy(true);
    setProblem(null);
    setInvalid([]);
    try {
      const created = await api("POST", "/api/projects/propose", data);
      location.hash = `#/p/${encodeURIComponent(created.slug)}${planNow ? "?start" : ""}`;
      onClose();
    } catch (error) {
      const fields = error instanceof ApiError && error.body.fields ? error.body.fields : {};
      // Each message already names its field ("slug "My App" is not valid: …"): shown as is, one per line.
      const messages = Object.values(fields);
      setProblem(messages.length ? messages.join("\n") : error.message);
      setInvalid(Object.keys(fields));
      const first = event.target.elements?.namedItem(Object.keys(fields)[0] ?? "");
      if (first && typeof first.focus === "function") first.focus();
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="panel propose" onSubmit=${submit} aria-label="New project">
    <h2>New project</h2>
    <div class="grid">
      <label>Slug <input name="slug" aria-invalid=${invalid.includes("slug")} required placeholder="my-app" autocomplete="off" /></label>
      <label class="wide">What should it do? <textarea name="description" aria-invalid=${invalid.includes("description")} required rows="3" placeholder="A todo app with reminders."></textarea></label>
      <label>Repository <input name="repo" aria-invalid=${invalid.includes("repo")} placeholder="defaults to the slug" autocomplete="off" /></label>
      <label>Branch <input name="branch" aria-invalid=${invalid.includes("branch")} placeholder="ralph/<slug>" autocomplete="off" /></label>
      <label>Base branch <input name="base_branch" aria-invalid=${invalid.includes("base_branch")} placeholder="main" autocomplete="off" /></label>
      <label class="check"><input type="checkbox" name="plan_now" checked /> Start planning right away</label>
    </div>
    ${problem ? html`<p class="alert pre-line" role="alert">${problem}</p>` : null}
    <div class="actions"><button class="primary" disabled=${busy}>${busy ? "Proposing…" : "Propose"}</button> <button type="button" onClick=${onClose}>Close</button></div>
  </form>`;
}
