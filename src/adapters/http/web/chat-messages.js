// The messages of a planning conversation as the page shows them: who said what in which phase, and the
// planner's "thinking" line with its timer and what a screen reader hears of it.
import { html } from "htm/preact";
import { useElapsed } from "./live.js";
import { Markdown } from "./markdown.js";

export const PHASES = {
  clarify: "Clarify",
  design: "Design",
  stories: "Stories",
  finalize: "Finalize",
  correct: "Correction",
  __complete__: "Plan written",
};

/**
 * Who wrote a conversation message, as the person at the dashboard reads it: "you" for the dashboard's own
 * messages (their recorded user is the dashboard itself), the member's name and platform for a message
 * sent from a chat, "planner" for the planner.
 */
export function authorOf(entry) {
  if (entry.role !== "user") return "planner";
  if (!entry.adapter || entry.adapter === "dashboard") return entry.adapter ? "you" : entry.user || "you";
  const surface = SURFACE_NAMES[entry.adapter] ?? entry.adapter;
  return entry.user ? `${entry.user} (${surface})` : `you (${surface})`;
}

/**
 * The names people use for the chats a message came from, by adapter id: the page's copy of the server's
 * src/chat/surface-names.ts (the browser loads no TypeScript), so the dashboard names them as the chats do.
 */
const SURFACE_NAMES = { console: "terminal", telegram: "Telegram", discord: "Discord" };

export function Message({ entry }) {
  const mine = entry.role === "user";
  const at = entry.at ? new Date(entry.at) : null;
  const who = authorOf(entry);
  return html`<li class=${`msg ${mine ? "msg-user" : "msg-planner"}`}>
    <div class="msg-meta"><span>${who}</span>${entry.phase ? html` · <span>${PHASES[entry.phase] ?? entry.phase}</span>` : null}${at && !Number.isNaN(at.getTime()) ? html` · <time datetime=${entry.at}>${at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</time>` : null}</div>
    <${Markdown} className="msg-body" text=${entry.text} planner=${true} />
  </li>`;
}

/**
 * The visible "thinking" line with its timer. Hidden from assistive tech: inside the live message list, each tick
 * of the timer would be read out again; {@link ThinkingStatus} says it instead.
 */
export function Thinking({ since, what }) {
  const seconds = useElapsed(since, true);
  return html`<li class="msg msg-planner thinking" aria-hidden="true"><span class="dots"></span> ${what} <span class="secs">${seconds} s</span></li>`;
}

/**
 * What a screen reader hears of a planner turn: its words once when it starts, not its timer. Always on the page,
 * empty between turns: a live region added together with its words is often not read.
 */
export function ThinkingStatus({ what }) {
  return html`<p class="sr-only" role="status">${what ?? ""}</p>`;
}

/**
 * The conversation's messages: the stored history, then the answer this page is sending (`pending.sent`), or the
 * member's message of a turn asked for in another chat (`remoteTurn`), then the "thinking" line while a turn runs.
 * `list` is the list's ref (the page scrolls it), `announce` whether new messages are read out.
 */
export function MessageList({ list, announce, history, loading, pending, remoteTurn, session, thinking }) {
  return html`<ol class="messages" ref=${list} aria-live=${announce ? "polite" : "off"}>
    ${loading ? html`<li class="muted">Loading the conversation…</li>` : null}
    ${history?.length === 0 && !pending ? html`<li class="muted">No conversation yet.</li>` : null}
    ${(history ?? []).map((entry, index) => html`<${Message} key=${index} entry=${entry} />`)}
    ${pending?.sent ? html`<${Message} entry=${{ role: "user", text: pending.sent }} />` : null}
    ${remoteTurn && session.pending_message ? html`<${Message} entry=${{ role: "user", text: session.pending_message.text, user: session.pending_message.user, adapter: session.pending_message.adapter, at: session.pending_message.at, phase: session.phase }} />` : null}
    ${thinking ? html`<${Thinking} since=${pending ? pending.since : Date.parse(session.pending_message?.at ?? session.updated_at) || Date.now()} what=${thinking} />` : null}
  </ol>`;
}
