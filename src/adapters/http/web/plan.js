// The plan tab: final-plan.md rendered, and prd.json's stories as a checklist that fills as Ralph
// passes them (refetched whenever the live list shows the project's stories or status move).
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, projectPath } from "./api.js";
import { StoryBar } from "./format.js";
import { Markdown } from "./markdown.js";

/**
 * GETs `path`, again whenever one of `deps` changes; `{data, missing, problem}`. A null `path` is a
 * file the project's record says does not exist yet: it is `missing` without a request, since asking
 * would only bring back a 404 (and a red line in the browser's console).
 */
export function useFetched(path, deps) {
  const [state, setState] = useState({ data: null, missing: path === null, problem: null, loading: path !== null });
  useEffect(() => {
    if (path === null) {
      setState({ data: null, missing: true, problem: null, loading: false });
      return undefined;
    }
    let live = true;
    api("GET", path).then(
      (data) => live && setState({ data, missing: false, problem: null, loading: false }),
      (error) =>
        live &&
        setState({
          data: null,
          missing: error instanceof ApiError && error.status === 404,
          problem: error.status === 404 ? null : error.message,
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [path, ...deps]);
  return state;
}

/**
 * Whether the project's record says a plan was written: final-plan.md and prd.json are written together
 * when planning finishes (the record then shows prd.json), and `final_plan_path` is kept once it is
 * approved (so a prd.json made unreadable later is still asked for, and the page says what is wrong).
 */
function planWritten(project) {
  return project.has_prd || Boolean(project.final_plan_path);
}

// Marks the common fonts have: "⏸" (U+23F8) is missing from DejaVu and others, and showed as an empty box.
const MARKS = { passes: "✓", failed: "✗", blocked: "‖", todo: "○" };

function storyState(story) {
  if (story.passes) return "passes";
  if (story.failed) return "failed";
  if (story.blocked) return "blocked";
  return "todo";
}

/** prd.json's stories (and whether final-plan.md exists), refetched as the record shows them move. */
export function usePrd(project) {
  return useFetched(planWritten(project) ? projectPath(project.slug, "prd") : null, [
    project.has_prd,
    project.stories_done,
    project.stories_total,
    project.status,
    project.last_iteration_at,
  ]);
}

/** The stories of prd.json as a checklist; `prd` is {@link usePrd}'s state. */
export function Checklist({ prd }) {
  if (prd.loading && !prd.data) return html`<p class="muted">Loading the stories…</p>`;
  if (prd.missing) return html`<p class="muted">No stories yet: they are written with the plan (prd.json).</p>`;
  if (prd.problem) return html`<p class="alert" role="alert">${prd.problem}</p>`;
  const { stories, done, total } = prd.data;
  return html`<section class="checklist-box" aria-label="Stories">
    <h2>Stories <${StoryBar} done=${done} total=${total} /></h2>
    <ul class="checklist">
      ${stories.map((story) => {
        const state = storyState(story);
        return html`<li class=${`story story-${state}`} data-story=${story.id} data-state=${state}>
          <span class="mark" aria-hidden="true">${MARKS[state]}</span>
          <span class="sr-only">${state === "passes" ? "done" : state}</span>
          <span class="story-id">${story.id}</span> <span class="story-title">${story.title}</span>
          ${story.description ? html`<div class="muted story-desc">${story.description}</div>` : null}
        </li>`;
      })}
    </ul>
  </section>`;
}

/** The plan tab. */
export function PlanView({ project }) {
  const prd = usePrd(project);
  // An approved plan has its path on record; otherwise prd.json's answer says whether final-plan.md is there
  // (Ralph's own prd.json comes without one, and asking would only bring back a 404).
  const planPath = project.final_plan_path || prd.data?.has_plan ? projectPath(project.slug, "plan/document") : null;
  const plan = useFetched(planPath, [project.status, project.final_plan_path, prd.data?.updated_at]);
  const waiting = (plan.loading && !plan.data) || (planPath === null && prd.loading);
  return html`<section class="plan">
    <${Checklist} prd=${prd} />
    <article class="plan-doc" aria-label="The plan">
      ${waiting ? html`<p class="muted">Loading the plan…</p>` : null}
      ${plan.missing && !waiting ? html`<p class="muted">No plan written yet. In the conversation, move through the phases and press <strong>Finish</strong>.</p>` : null}
      ${plan.problem ? html`<p class="alert" role="alert">${plan.problem}</p>` : null}
      ${plan.data ? html`<${Markdown} className="doc" text=${plan.data.text} />` : null}
    </article>
  </section>`;
}
