// One project's page: what it is, what can be done with it now, and three tabs — the conversation,
// the plan and the run — each with its own URL (#/p/<slug>, …/plan, …/run).
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { problemOf, useProblemWords } from "./action-problem.js";
import { api } from "./api.js";
import { Conversation } from "./chat.js";
import { PullRequestLink, RefusalNote, RepoBranch, StatusBadge, StoryBar, When, lastActivity } from "./format.js";
import { EditProject } from "./edit.js";
import { awaitingProposed } from "./just-proposed.js";
import { Markdown } from "./markdown.js";
import { offeredActions } from "./offered-actions.js";
import { PlanView } from "./plan.js";
import { RunView } from "./run.js";

const TABS = [
  { key: "chat", title: "Conversation", suffix: "" },
  { key: "plan", title: "Plan", suffix: "/plan" },
  { key: "run", title: "Run", suffix: "/run" },
];

/** The page's status buttons, by what `offeredActions` offers. */
const LABELS = { approve: "Approve", unapprove: "Unapprove", cancel: "Cancel project" };

/** What a status change did, said once it shows (the screen reader's only sign of it, the pressed button gone). */
const DONE = {
  approve: (slug) => `Approved ${slug}.`,
  unapprove: (slug) => `Unapproved ${slug}: it is pending again.`,
  cancel: (slug) => `Cancelled ${slug}. Its files stay; you can plan it again later.`,
};

/** Buttons for status changes that do not belong to a tab (approve, unapprove, cancel). */
function StatusActions({ project }) {
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  // The last change made here and the status it led to: said while the project is still in that status.
  const [done, setDone] = useState(null);
  const note = useRef(null);
  async function change(action) {
    if (action === "cancel" && !confirm(`Cancel ${project.slug}? Its files stay; you can plan it again later.`)) return;
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      const answer = await api("POST", `/api/projects/${action}`, { slug: project.slug });
      setDone({ text: DONE[action](project.slug), status: answer.status });
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }
  const words = useProblemWords(problem);
  const actions = offeredActions(project).page;
  const said = done && done.status === project.status ? done.text : null;
  // The pressed button is gone with the status it offered: focus goes to the note, not to the page's top.
  useEffect(() => {
    if (said && (!document.activeElement || document.activeElement === document.body)) note.current?.focus();
  }, [said]);
  if (actions.length === 0 && !words && !said) return null;
  return html`<div class="status-actions">
    ${actions.map((action) => html`<button type="button" disabled=${busy} onClick=${() => change(action)}>${LABELS[action]}</button>`)}
    ${
      // Always there, empty until something was done: a live region added together with its words is often not read.
      html`<p class=${said ? "note" : "sr-only"} role="status" tabindex=${said ? "-1" : undefined} ref=${note}>${said ?? ""}</p>`
    }
    ${words ? html`<p class="alert" role="alert">${words}</p>` : null}
  </div>`;
}

/**
 * What a project without a plan (no prd.json) needs next, in the chat's words: a pending one is planned with
 * Claude or approved as is (`/p`'s reply), and an approved one still needs a plan before Ralph runs it (what
 * `/approve` warns; the Run tab offers no Run meanwhile). A refused run says the same in its own note.
 */
function PlanFirstNote({ project }) {
  if (project.has_prd) return null;
  const chat = `#/p/${encodeURIComponent(project.slug)}`;
  if (project.status === "pending")
    return html`<p class="muted next-step" data-next="plan">Not planned yet. Next: <a href=${`${chat}?start`}>plan it with Claude</a>, or approve it as is.</p>`;
  if (project.status === "approved" && !project.run_refusal)
    return html`<p class="alert" role="status" data-next="plan">Approved, but Ralph needs a plan first: it has no prd.json with open stories, so it cannot run until it is planned. Plan it: Start planning in the <a href=${chat}>Conversation</a>.</p>`;
  return null;
}

/** Why the last run failed: the summary up front, Ralph's last lines (after a "--- … ---" line) behind a toggle. */
function ErrorReason({ text }) {
  const found = /\n---[^\n]*---\n/.exec(text);
  if (!found) return html`<p class="alert">${text}</p>`;
  return html`<div class="alert"><p class="reason">${text.slice(0, found.index)}</p>
    <details><summary>Ralph's last lines</summary><pre class="log">${text.slice(found.index + found[0].length)}</pre></details></div>`;
}

/** The project page. */
export function ProjectPage({ route, live }) {
  const project = live.projects.find((candidate) => candidate.slug.toLowerCase() === route.slug.toLowerCase());
  const base = `#/p/${encodeURIComponent(route.slug)}`;
  // Proposed here a moment ago: the list brings it next, so it is loading, not missing.
  const arriving = awaitingProposed(route.slug, project);
  if (!project && live.loaded && !arriving) {
    return html`<main class="project-page"><a href="#/" class="back">← Board</a><h1 data-page-heading>${route.slug}</h1><p class="alert" role="alert">There is no project named “${route.slug}”. It may have been removed; go back to the board.</p></main>`;
  }
  // Loaded while the store cannot be read: the message above says why, and this is no "Loading…" that ends by itself.
  if (!project && live.error)
    return html`<main class="project-page"><a href="#/" class="back">← Board</a><h1 data-page-heading>${route.slug}</h1><p class="muted" data-waiting="store">This project shows here once planbot can read its project store again.</p></main>`;
  if (!project)
    return html`<main class="project-page"><a href="#/" class="back">← Board</a><p class="muted">Loading…</p></main>`;
  return html`<main class="project-page" data-slug=${project.slug}>
    <a href="#/" class="back">← Board</a>
    <header class="project-head">
      <h1 data-page-heading>${project.slug} <${StatusBadge} status=${project.status} /></h1>
      <p class="desc">${project.description}</p>
      <div class="facts">
        <${RepoBranch} project=${project} />
        <${StoryBar} done=${project.stories_done} total=${project.stories_total} />
        <${When} date=${lastActivity(project)} prefix="active " />
        <${PullRequestLink} project=${project} />
      </div>
      ${project.error_reason ? html`<${ErrorReason} text=${project.error_reason} />` : null}
      ${
        // A run error only planbot's operator can fix, in the member's words the server sends (member-list.ts).
        project.error_member
          ? html`<div class="alert" data-testid="error-member"><${Markdown} text=${project.error_member} /></div>`
          : null
      }
      <${RefusalNote} project=${project} />
      <${PlanFirstNote} project=${project} />
      <${StatusActions} project=${project} />
      <${EditProject} project=${project} />
    </header>
    <nav class="tabs" aria-label="Project sections">
      ${TABS.map((tab) => html`<a href=${base + tab.suffix} aria-current=${route.tab === tab.key ? "page" : undefined}>${tab.title}</a>`)}
    </nav>
    ${route.tab === "chat" ? html`<${Conversation} project=${project} autoStart=${route.start} epoch=${live.epoch} />` : null}
    ${route.tab === "plan" ? html`<${PlanView} project=${project} />` : null}
    ${route.tab === "run" ? html`<${RunView} project=${project} />` : null}
  </main>`;
}
