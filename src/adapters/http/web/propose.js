// The "New project" form: proposes, then opens the project's page and starts planning there.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { ApiError, api } from "./api.js";

/** The propose form; `onClose` hides it. */
export function ProposeForm({ onClose }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  async function submit(event) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget));
    const planNow = data.plan_now === "on";
    delete data.plan_now;
    setBusy(true);
    setProblem(null);
    try {
      const created = await api("POST", "/api/projects/propose", data);
      location.hash = `#/p/${encodeURIComponent(created.slug)}${planNow ? "?start" : ""}`;
      onClose();
    } catch (error) {
      const fields =
        error instanceof ApiError && error.body.fields
          ? Object.entries(error.body.fields).map(([name, why]) => `${name}: ${why}`)
          : [];
      setProblem(fields.length ? fields.join(" · ") : error.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="panel propose" onSubmit=${submit} aria-label="New project">
    <h2>New project</h2>
    <div class="grid">
      <label>Slug <input name="slug" required placeholder="my-app" autocomplete="off" /></label>
      <label class="wide">What should it do? <textarea name="description" required rows="3" placeholder="A todo app with reminders."></textarea></label>
      <label>Repository <input name="repo" placeholder="defaults to the slug" autocomplete="off" /></label>
      <label>Branch <input name="branch" placeholder="ralph/<slug>" autocomplete="off" /></label>
      <label>Base branch <input name="base_branch" placeholder="main" autocomplete="off" /></label>
      <label class="check"><input type="checkbox" name="plan_now" checked /> Start planning right away</label>
    </div>
    ${problem ? html`<p class="alert" role="alert">${problem}</p>` : null}
    <div class="actions"><button class="primary" disabled=${busy}>${busy ? "Proposing…" : "Propose"}</button> <button type="button" onClick=${onClose}>Close</button></div>
  </form>`;
}
