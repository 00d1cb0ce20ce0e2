// Planner text for the page: slash-command hints rewritten into the dashboard's own words, markdown
// rendered by marked and sanitised by DOMPurify (no raw markup, no injected HTML).
import { html } from "htm/preact";
import { Marked } from "marked";
import DOMPurify from "dompurify";

/**
 * Raw HTML inside a message is shown as the text it is, not parsed: nobody means markup in a chat, and
 * DOMPurify then only ever sees the tags marked itself produced (it still removes unsafe links).
 */
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: ({ text }) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
  },
});

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

const HINT =
  /(^|[\s(“"'])`?\/(next|done|finish|stop|status|plan|run|approve|unapprove|cancel|answer|propose|help)(?:[ \t]+(?:<slug>|[a-z0-9][a-z0-9-]*))?(?:[ \t]+--force)?`?(?=$|[\s.,;:!?)”"'])/gim;

/** The planner protocol's end-of-phase marker: for planbot, not for people. */
const READY_MARKER = /[ \t]*\[\[PHASE_READY\]\][ \t]*/g;

/** A fenced block: its fence (so a ```` block may hold ``` ones), its info string and its body. */
const FENCE = /^(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)\n\1[ \t]*$/gm;

/**
 * A planner message as the dashboard shows it: the plan it wrote (a ```markdown block) rendered rather
 * than shown as source, prd.json replaced by a pointer to the Plan tab, protocol markers dropped.
 */
function unwrapBlocks(text) {
  return text.replace(FENCE, (all, _fence, info, body) => {
    const kind = info.trim().toLowerCase();
    if (/^(markdown|md)\b/.test(kind)) return body;
    if (/^json\b/.test(kind) && /"userStories"/.test(body)) return "_The stories (prd.json) are on the **Plan** tab._";
    return all;
  });
}

/** Rewrites chat hints ("`/next` moves on") into the dashboard's words ("**Next phase** moves on"). */
export function dashboardWords(text) {
  return unwrapBlocks(String(text ?? "").replace(READY_MARKER, ""))
    .replace(HINT, (_all, before, command) => `${before}${WORDS[command.toLowerCase()]}`)
    .trimEnd();
}

/** What DOMPurify lets through: plain HTML, no styles, forms or images. */
const PURIFY = { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input", "button", "img"] };

/** Sanitised HTML of a markdown text. */
export function markdownHtml(text) {
  return DOMPurify.sanitize(marked.parse(String(text ?? "")), PURIFY);
}

/**
 * One line of planbot's reply markup (`**bold**`, `` `code` ``, links, `\`-escapes) as a span: server-worded
 * advice inside a sentence of the page, such as a delivery's (the chats' words for it).
 */
export function InlineMarkdown({ text }) {
  const inline = DOMPurify.sanitize(marked.parseInline(String(text ?? "")), PURIFY);
  return html`<span class="markdown-inline" dangerouslySetInnerHTML=${{ __html: inline }}></span>`;
}

/** A markdown block; `planner` applies {@link dashboardWords} first. */
export function Markdown({ text, planner = false, className = "" }) {
  const source = planner ? dashboardWords(text) : text;
  return html`<div class=${`markdown ${className}`} dangerouslySetInnerHTML=${{ __html: markdownHtml(source) }}></div>`;
}
