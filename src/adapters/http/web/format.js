// Small display helpers shared by the board and the project page.
import { html } from "htm/preact";
import { InlineMarkdown } from "./markdown.js";

/** Board columns: the record's derived status → the state a person thinks in. */
export const COLUMNS = [
  { key: "pending", title: "Pending", statuses: ["pending"] },
  { key: "planning", title: "Planning", statuses: ["planning"] },
  { key: "approved", title: "Approved", statuses: ["approved"] },
  { key: "running", title: "Running", statuses: ["running-ralph", "running-manual"] },
  { key: "done", title: "Done", statuses: ["complete"] },
  { key: "trouble", title: "Failed / blocked", statuses: ["failed", "blocked"] },
  { key: "idle", title: "Cancelled / idle", statuses: ["cancelled", "idle"] },
];

const LABELS = {
  "running-ralph": "running",
  "running-manual": "running (manual)",
  complete: "done",
  idle: "idle",
  cancelled: "cancelled",
};

/** The column key of a status (unknown statuses land with the idle ones). */
export function columnOf(status) {
  return COLUMNS.find((column) => column.statuses.includes(status))?.key ?? "idle";
}

/** A status badge. */
export function StatusBadge({ status }) {
  return html`<span class=${`badge badge-${columnOf(status)}`}>${LABELS[status] ?? status}</span>`;
}

/** The newest timestamp a record carries: its last sign of life. */
export function lastActivity(project) {
  const times = [
    project.last_iteration_at,
    project.started_at,
    project.approved_at,
    project.proposed_at,
    project.last_activity_at,
    project.updated_at,
  ]
    .filter(Boolean)
    .map((value) => Date.parse(value))
    .filter((value) => !Number.isNaN(value));
  return times.length ? new Date(Math.max(...times)) : null;
}

/** "just now", "4 min ago", "3 h ago", "2 d ago", or the date. */
export function ago(date, now = Date.now()) {
  if (!date) return "no activity yet";
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 30 * 86400) return `${Math.round(seconds / 86400)} d ago`;
  return date.toISOString().slice(0, 10);
}

/** A `<time>` with the relative text and the exact time on hover. */
export function When({ date, prefix = "" }) {
  if (!date) return html`<span class="muted">${prefix}no activity yet</span>`;
  return html`<time datetime=${date.toISOString()} title=${date.toLocaleString()}>${prefix}${ago(date)}</time>`;
}

/** Stories k/N as a bar with the numbers next to it (an empty PRD says so). */
export function StoryBar({ done, total }) {
  if (!total) return html`<span class="stories muted">no stories yet</span>`;
  return html`<span class="stories"><progress value=${done} max=${total} aria-label=${`${done} of ${total} stories pass`}></progress> <span>${done}/${total}</span></span>`;
}

/** The pull request of a project, when the record carries one (`pull_request: {url, number}`). */
export function PullRequestLink({ project }) {
  const url = project.pull_request?.url;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) return null;
  return html`<a class="pr" href=${url} target="_blank" rel="noopener noreferrer">PR #${project.pull_request.number ?? ""}</a>`;
}

/** "repo · branch" of a project. */
export function RepoBranch({ project }) {
  const repo = project.repo || project.slug;
  // The record names the branch Ralph works on (entry, prd.json's branchName, or ralph/<slug>).
  const branch = project.branch;
  return html`<span class="repo"><span title="repository">${repo}</span> · <span title="branch">${branch}</span></span>`;
}

/**
 * Why the project's last run was not started, while it waits approved (`run_refusal` on the record):
 * the preflight's "Ralph was not started: <why>. Fix: <what to do>" as a why line and a fix line.
 * `brief` (the board's card) shows the why alone.
 */
export function RefusalNote({ project, brief = false }) {
  const refusal = project.run_refusal;
  if (refusal?.member) return html`<${MemberRefusal} refusal=${refusal} brief=${brief} />`;
  if (!refusal?.message) return null;
  const text = refusal.message.replace(/^Ralph was not started:\s*/, "").trim();
  const at = text.indexOf(". Fix: ");
  const why = at < 0 ? text : text.slice(0, at);
  const fix = at < 0 ? null : text.slice(at + ". Fix: ".length);
  const where = refusal.worker ? ` on worker ${refusal.worker}` : "";
  // The span is clamped, not the paragraph: its padding would show the top of a third line.
  if (brief) return html`<p class="alert refusal" title=${text}><span>Not started: ${why}</span></p>`;
  return html`<div class="alert refusal" role="status"><p class="reason">Not started${where} <${When} date=${new Date(refusal.at)} />: ${why}</p>
    ${fix ? html`<p class="reason">Fix: ${fix}</p>` : null}</div>`;
}

/**
 * A refusal only planbot's operator can lift (a machine without jq, Ralph's script not executable on the server), in
 * the member's words the server sends (`member`: problem and advice in reply markup, as the `/status` card says it).
 */
function MemberRefusal({ refusal, brief }) {
  const where = refusal.worker ? ` on worker ${refusal.worker}` : "";
  if (brief)
    return html`<p class="alert refusal"><span>Not started: <${InlineMarkdown} text=${refusal.member.problem} /></span></p>`;
  return html`<div class="alert refusal" role="status"><p class="reason">Not started${where} <${When} date=${new Date(refusal.at)} />: <${InlineMarkdown} text=${refusal.member.problem} /></p>
    <p class="reason"><${InlineMarkdown} text=${refusal.member.advice} /></p></div>`;
}
