// The board: every project in a column by state, searchable and filterable, live from the stream.
import { Component } from "preact";
import { html } from "htm/preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  COLUMNS,
  PullRequestLink,
  RefusalNote,
  RepoBranch,
  StatusBadge,
  StoryBar,
  When,
  columnOf,
  lastActivity,
} from "./format.js";
import { forgetDraft, hasDraft } from "./draft.js";
import { useFormFocus } from "./form-focus.js";
import { PROPOSE_DRAFT, ProposeForm } from "./propose.js";

/** Cards shown per column before "Show all" (a 1,000-project board stays quick). */
const PER_COLUMN = 30;

function matches(project, words) {
  if (!words.length) return true;
  const haystack =
    `${project.slug} ${project.description} ${project.repo ?? ""} ${project.branch ?? ""} ${project.status}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** One card; redrawn only when its record changed (the live list keeps unchanged records as they were). */
class Card extends Component {
  shouldComponentUpdate(next) {
    return next.project !== this.props.project;
  }

  render({ project }) {
    return cardHtml(project);
  }
}

function cardHtml(project) {
  return html`<li class="card" data-slug=${project.slug}>
    <div class="card-head">
      <a class="card-link" href=${`#/p/${encodeURIComponent(project.slug)}`}>${project.slug}</a>
      <${StatusBadge} status=${project.status} />
    </div>
    <p class="card-desc">${project.description}</p>
    <${StoryBar} done=${project.stories_done} total=${project.stories_total} />
    <${RefusalNote} project=${project} brief=${true} />
    <div class="card-foot"><${RepoBranch} project=${project} /> <${PullRequestLink} project=${project} /></div>
    <div class="card-foot muted"><${When} date=${lastActivity(project)} /></div>
  </li>`;
}

function Column({ column, projects }) {
  const [all, setAll] = useState(false);
  const shown = all ? projects : projects.slice(0, PER_COLUMN);
  const list = useRef(null);
  // "Show all" goes once pressed: focus goes on to the first card it brought, not back to the page's top —
  // in the render that removed the button (a layout effect), so no key pressed meanwhile lands on the page.
  useLayoutEffect(() => {
    if (all && (!document.activeElement || document.activeElement === document.body))
      list.current?.querySelectorAll(".card-link")[PER_COLUMN]?.focus();
  }, [all]);
  return html`<section class="column" aria-labelledby=${`col-${column.key}`} data-column=${column.key}>
    <h2 id=${`col-${column.key}`}>${column.title} <span class="count">${projects.length}</span></h2>
    ${projects.length === 0 ? html`<p class="muted empty">Nothing here.</p>` : html`<ul class="cards" ref=${list}>${shown.map((project) => html`<${Card} key=${project.slug} project=${project} />`)}</ul>`}
    ${projects.length > shown.length ? html`<button type="button" class="link" onClick=${() => setAll(true)}>Show all ${projects.length}</button>` : null}
  </section>`;
}

/**
 * A filter chip reached by Tab on a phone, where the row scrolls sideways: brought wholly into view. Chromium
 * scrolls a focused element only when none of it shows, so a chip at the row's edge stayed cut off, its ring hidden.
 */
function revealChip(event) {
  event.currentTarget.scrollIntoView({ block: "nearest", inline: "nearest" });
}

/** The board page. */
export function Board({ live }) {
  const [query, setQuery] = useState("");
  const [only, setOnly] = useState(null);
  // Open at once when this tab kept an unsent New project form (a reload, a new login).
  const [proposing, setProposing] = useState(() => hasDraft(PROPOSE_DRAFT));
  const closePropose = () => {
    forgetDraft(PROPOSE_DRAFT);
    setProposing(false);
  };
  const search = useRef(null);
  const proposeForm = useRef(null);
  const proposeButton = useRef(null);
  useFormFocus(proposing, proposeForm, proposeButton);
  useEffect(() => {
    const key = (event) => {
      if (event.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName ?? "")) {
        event.preventDefault();
        search.current?.focus();
      }
    };
    addEventListener("keydown", key);
    return () => removeEventListener("keydown", key);
  }, []);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const grouped = useMemo(() => {
    const groups = Object.fromEntries(COLUMNS.map((column) => [column.key, []]));
    for (const project of live.projects) if (matches(project, words)) groups[columnOf(project.status)].push(project);
    // Newest activity first; each project's time is worked out once, not per comparison.
    const times = new Map(live.projects.map((project) => [project, lastActivity(project)?.getTime() ?? 0]));
    for (const list of Object.values(groups)) list.sort((a, b) => times.get(b) - times.get(a));
    return groups;
  }, [live.projects, query]);
  const columns = COLUMNS.filter((column) => !only || column.key === only);
  const shown = columns.reduce((sum, column) => sum + grouped[column.key].length, 0);
  return html`<main class="board-page" data-ready=${live.loaded ? "yes" : "no"}>
    <h1 class="sr-only" data-page-heading>Projects</h1>
    <div class="toolbar">
      <label class="search"><span class="sr-only">Search projects</span>
        <input ref=${search} type="search" placeholder="Search projects ( / )" value=${query} onInput=${(event) => setQuery(event.currentTarget.value)} />
      </label>
      <div class="filters" role="group" aria-label="Show one state">
        <button type="button" class="chip" aria-pressed=${only === null} onFocus=${revealChip} onClick=${() => setOnly(null)}>All</button>
        ${COLUMNS.map((column) => html`<button type="button" class="chip" aria-pressed=${only === column.key} onFocus=${revealChip} onClick=${() => setOnly(only === column.key ? null : column.key)}>${column.title}${live.loaded ? ` ${grouped[column.key].length}` : ""}</button>`)}
      </div>
      <button type="button" class="primary" ref=${proposeButton} aria-expanded=${proposing} onClick=${() => (proposing ? closePropose() : setProposing(true))}>New project</button>
    </div>
    <p class="sr-only" role="status" data-testid="shown">${
      // Said to a screen reader as a search or filter narrows the board, which it does not see change.
      live.loaded && (words.length > 0 || only) ? `${shown} ${shown === 1 ? "project" : "projects"} shown` : ""
    }</p>
    ${proposing ? html`<${ProposeForm} formRef=${proposeForm} onClose=${closePropose} />` : null}
    ${!live.loaded && !live.error ? html`<p class="muted">Loading projects…</p>` : null}
    ${
      // The message above says why; before the first list the page must not look as if there were no projects.
      !live.loaded && live.error
        ? html`<p class="muted" data-waiting="store">The projects show here once planbot can read its project store again.</p>`
        : null
    }
    ${live.loaded && live.projects.length === 0 ? html`<p class="muted">No projects yet. Propose one with <strong>New project</strong>.</p>` : null}
    ${live.loaded && live.projects.length > 0 && shown === 0 ? html`<p class="muted">No project matches “${query}”.</p>` : null}
    ${
      // Before the first list, empty columns would say "Nothing here." about projects nobody has seen yet.
      live.loaded
        ? html`<div class="board">${columns.map((column) => html`<${Column} key=${column.key} column=${column} projects=${grouped[column.key]} />`)}</div>`
        : null
    }
  </main>`;
}
