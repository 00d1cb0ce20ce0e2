// Planner text for the page: slash-command hints rewritten into the dashboard's own words, markdown
// rendered by marked and sanitised by DOMPurify (no raw markup, no injected HTML).
import { html } from "htm/preact";
import { Marked } from "marked";
import DOMPurify from "dompurify";

const marked = new Marked({ gfm: true, breaks: true, async: false });

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/** What each chat command is called on the dashboard (its buttons and places). */
const WORDS = {
  next: "**Next phase**",
  done: "**Finish**",
  finish: "**Finish**",
  stop: "**Stop**",
  status: "the board",
  plan: "**Start planning**",
  run: "**Run**",
  approve: "**Approve**",
  unapprove: "**Unapprove**",
  cancel: "**Cancel**",
  answer: "the message box",
  propose: "**New project**",
  help: "this page",
};

const HINT = /(^|[\s(“"'])`?\/(next|done|finish|stop|status|plan|run|approve|unapprove|cancel|answer|propose|help)(?:[ \t]+(?:--force|<slug>|[a-z0-9][a-z0-9-]*))*`?(?=$|[\s.,;:!?)”"'])/gim;

/** Rewrites chat hints ("`/next` moves on") into the dashboard's words ("**Next phase** moves on"). */
export function dashboardWords(text) {
  return String(text ?? "").replace(HINT, (_all, before, command) => `${before}${WORDS[command.toLowerCase()]}`);
}

/** Sanitised HTML of a markdown text. */
export function markdownHtml(text) {
  return DOMPurify.sanitize(marked.parse(String(text ?? "")), { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input", "button", "img"] });
}

/** A markdown block; `planner` applies {@link dashboardWords} first. */
export function Markdown({ text, planner = false, className = "" }) {
  const source = planner ? dashboardWords(text) : text;
  return html`<div class=${`markdown ${className}`} dangerouslySetInnerHTML=${{ __html: markdownHtml(source) }}></div>`;
}
