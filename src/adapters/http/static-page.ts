/**
 * The dashboard page: a project table fed by /api/projects and kept live by the stream, a propose
 * form, approve/unapprove/plan buttons (re-planning a committed project asks first and then sends
 * force=true), and a planner box. Every value from the server goes in through `textContent`, never
 * `innerHTML`, so nothing a project name, description or planner reply holds can become markup; the
 * Content-Security-Policy below only allows our own script as a second line of defence.
 */

/** Security headers of the HTML pages. */
export const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}
form{margin:.8rem 0}input,textarea{margin:.2rem}button{margin-right:.3rem}#log li{white-space:pre-wrap;margin:.3rem 0}
.muted{color:#777}`;

/** The dashboard page (needs the token when one is configured). */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>planbot</title><meta name="viewport" content="width=device-width">
<style>${STYLE}</style></head><body>
<h1>planbot</h1><p id="meta" class="muted">loading…</p>
<table><thead><tr><th>project</th><th>status</th><th>stories</th><th>description</th><th>planner</th><th></th></tr></thead>
<tbody id="rows"></tbody></table>
<h2>Propose</h2>
<form id="propose"><input name="slug" placeholder="slug" required> <input name="description" placeholder="description" size="50" required>
<input name="repo" placeholder="repo (optional)"> <input name="branch" placeholder="branch (optional)"> <input name="base_branch" placeholder="base (optional)">
<button>Propose</button></form>
<h2>Planner</h2>
<form id="respond"><input name="slug" placeholder="slug" required> <textarea name="message" rows="2" cols="60" placeholder="answer"></textarea>
<button value="respond">Send</button><button value="advance">Next phase</button><button value="finalize">Finalize</button><button value="cancel">Stop</button></form>
<ul id="log"></ul>
<script src="/dashboard.js"></script></body></html>
`;

/** The login page shown instead of the dashboard when the token is missing (a plain form: no script needed). */
export function loginHtml(failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>planbot login</title><link rel="stylesheet" href="/assets/app/style.css"></head><body>
<main class="login panel"><h1>planbot</h1>${failed ? '<p class="alert" role="alert">That token is not right. Check DASHBOARD_TOKEN and try again.</p>' : "<p>This dashboard needs its token (DASHBOARD_TOKEN).</p>"}
<form method="post" action="/api/login"><label for="token">Dashboard token</label><input id="token" type="password" name="token" autocomplete="current-password" autofocus required> <button class="primary">Log in</button></form>
</main></body></html>
`;
}

/** The page's script. */
export const DASHBOARD_JS = `"use strict";
const $ = (id) => document.getElementById(id);
let version = null;
function el(tag, text) { const node = document.createElement(tag); if (text !== undefined && text !== null) node.textContent = String(text); return node; }
function button(label, onClick) { const node = el("button", label); node.type = "button"; node.addEventListener("click", onClick); return node; }
function say(text) { const log = $("log"); log.prepend(el("li", text)); while (log.children.length > 100) log.lastChild.remove(); }
async function api(method, path, body, headers) {
  const init = { method, headers: Object.assign({ "Content-Type": "application/json" }, headers || {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  let data = {};
  try { data = await res.json(); } catch (_) { data = {}; }
  return { status: res.status, data };
}
const COMMITTED = ["approved", "complete", "running-ralph", "running-manual"];
function render(list) {
  version = list.version;
  const rows = $("rows");
  rows.replaceChildren();
  for (const p of list.projects) {
    const tr = el("tr");
    tr.append(el("td", p.slug), el("td", p.status), el("td", p.stories_total ? p.stories_done + "/" + p.stories_total : ""), el("td", p.description), el("td", p.last_message_preview || p.error_reason));
    const actions = el("td");
    if (p.status === "pending" || p.status === "idle" || p.status === "failed" || p.status === "blocked") actions.append(button("Approve", () => change("approve", p.slug)));
    if (p.status === "approved") actions.append(button("Unapprove", () => change("unapprove", p.slug)));
    actions.append(button(COMMITTED.includes(p.status) ? "Re-plan" : "Plan", () => plan(p.slug, false)));
    tr.append(actions);
    rows.append(tr);
  }
  $("meta").textContent = list.count + " projects · version " + list.version + " · " + list.fetchedAt;
}
async function load() { const r = await api("GET", "/api/projects"); if (r.status === 200) render(r.data); else $("meta").textContent = r.data.message || r.data.error || "error " + r.status; }
function report(slug, r, ok) { say(slug + ": " + (r.status < 300 ? ok(r.data) : (r.data.message || r.data.error || "error " + r.status))); }
async function change(action, slug) {
  const r = await api("POST", "/api/projects/" + action, { slug }, version === null ? {} : { "If-Match": String(version) });
  if (r.status === 409 && r.data.error === "stale") { say("The list changed meanwhile; it is reloaded, try again."); await load(); return; }
  report(slug, r, (d) => d.status);
}
async function plan(slug, force) {
  const r = await api("POST", "/api/projects/" + encodeURIComponent(slug) + "/plan/start", { force });
  if (r.status === 409 && r.data.error === "already_committed") {
    if (confirm(slug + " is already " + r.data.status + ". Re-planning replaces its plan. Re-plan anyway?")) await plan(slug, true);
    return;
  }
  $("respond").elements.slug.value = slug;
  report(slug, r, (d) => d.message);
}
$("propose").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target, body = {};
  for (const name of ["slug", "description", "repo", "branch", "base_branch"]) body[name] = form.elements[name].value;
  const r = await api("POST", "/api/projects/propose", body);
  if (r.status === 400 && r.data.fields) { say("Not proposed: " + Object.values(r.data.fields).join(" ")); return; }
  report(body.slug, r, () => "proposed");
  if (r.status === 201) form.reset();
});
$("respond").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target, action = event.submitter ? event.submitter.value : "respond", slug = form.elements.slug.value.trim();
  const body = action === "respond" ? { message: form.elements.message.value } : {};
  say(slug + " ← " + (action === "respond" ? body.message : action));
  const r = await api("POST", "/api/projects/" + encodeURIComponent(slug) + "/plan/" + action, body);
  report(slug, r, (d) => d.message || d.status);
  if (r.status < 300 && action === "respond") form.elements.message.value = "";
});
function connect() {
  const stream = new EventSource("/api/projects/stream");
  stream.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "ping") return;
    if (data.type === "planner") { say(data.slug + " (planner): " + data.message); return; }
    if (data.type === "error") { $("meta").textContent = data.message; return; }
    render(data);
  };
  stream.onerror = () => { $("meta").textContent = "connection lost, reconnecting…"; };
}
load().then(connect);
`;
