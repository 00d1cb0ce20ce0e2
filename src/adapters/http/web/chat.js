// The conversation with the planner as a chat: the stored history, rendered markdown in the
// dashboard's own words, a composer (Send / Next phase / Finish / Stop) and a visible "thinking" timer.
import { html } from "htm/preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { problemOf, problemText, useProblemWords } from "./action-problem.js";
import { ApiError, api, projectPath } from "./api.js";
import { useDraft } from "./draft.js";
import { useEnterBreaksLine } from "./enter-key.js";
import { onPlannerMessage, onPlannerTurn, useElapsed } from "./live.js";
import { Markdown } from "./markdown.js";
import { remoteTurnPending } from "./remote-turn.js";
import { useAnnounceOnceShown, useFocusAfterTurn } from "./chat-attention.js";

const PHASES = {
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

function Message({ entry }) {
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
function Thinking({ since, what }) {
  const seconds = useElapsed(since, true);
  return html`<li class="msg msg-planner thinking" aria-hidden="true"><span class="dots"></span> ${what} <span class="secs">${seconds} s</span></li>`;
}

/**
 * What a screen reader hears of a planner turn: its words once when it starts, not its timer. Always on the page,
 * empty between turns: a live region added together with its words is often not read.
 */
function ThinkingStatus({ what }) {
  return html`<p class="sr-only" role="status">${what ?? ""}</p>`;
}

/** The conversation tab. */
export function Conversation({ project, autoStart, epoch }) {
  const slug = project.slug;
  const [history, setHistory] = useState(null);
  const [session, setSession] = useState(null);
  const [pending, setPending] = useState(null);
  const [problem, setProblem] = useState(null);
  // Why the conversation could not be read; gone with the next read that works (unlike an action's problem).
  const [readProblem, setReadProblem] = useState(null);
  // Kept across a reload or a new login: a long answer is not lost to a dropped session.
  const [draft, setDraft] = useDraft(`answer:${slug.toLowerCase()}`);
  // An answer whose request got no reply: `{text, before}`, the times it was in the history when sent.
  const [unsent, setUnsent] = useState(null);
  const log = useRef(null);
  const started = useRef(false);
  const composer = useRef(null);
  const closedNote = useRef(null);
  useFocusAfterTurn(pending, composer, closedNote);
  const announce = useAnnounceOnceShown(history);
  const problemWords = useProblemWords(problem);
  const readWords = useProblemWords(readProblem);
  const enterBreaksLine = useEnterBreaksLine();

  // Reads overlap when the stream tells of a turn while the page reads for its own: only the newest one shows, so a
  // read begun before a turn ended cannot bring the turn back after a later read showed it answered. A read that
  // was overtaken resolves once the newest has shown (the page's own turn drops its "thinking" line after that).
  const newestRead = useRef(null);
  const reload = useCallback(() => {
    const read = (async () => {
      try {
        // The state before the transcript: a turn the state shows ended is in the transcript read after it
        // (read together, the transcript could predate the answer while the state already has no pending turn).
        const state = await api("GET", projectPath(slug, "plan/state"));
        const transcript = await api("GET", projectPath(slug, "plan/transcript"));
        if (newestRead.current !== read) return newestRead.current;
        setHistory(Array.isArray(transcript.history) ? transcript.history : []);
        setSession(state);
        setReadProblem(null);
      } catch (error) {
        if (newestRead.current !== read) return newestRead.current;
        setReadProblem(
          problemOf(error, {
            text: `The conversation could not be read: ${error.message}`,
            lead: "The conversation could not be read",
          }),
        );
      }
    })();
    newestRead.current = read;
    return read;
  }, [slug]);

  // The preview changes whenever the conversation moves, wherever it was answered (another tab, a chat).
  // `epoch` moves when the live stream reconnects: what was said while planbot was unreachable is read then.
  useEffect(() => void reload(), [reload, project.status, project.last_message_preview, epoch]);
  useEffect(
    () => onPlannerMessage((event) => event.slug?.toLowerCase() === slug.toLowerCase() && reload()),
    [slug, reload],
  );
  // A turn started or ended anywhere (Telegram, Discord, the terminal, another tab): planbot tells the stream as it
  // happens, so the member's message and the "thinking" line show while the planner works, and its answer after.
  useEffect(
    () => onPlannerTurn((event) => event.slug?.toLowerCase() === slug.toLowerCase() && reload()),
    [slug, reload],
  );
  const remoteTurn = !pending && remoteTurnPending(session, history);
  useEffect(() => {
    log.current?.scrollTo?.({ top: log.current.scrollHeight });
  }, [history, pending]);

  // planbot may have taken an answer and lost only the reply (it stopped mid-turn): once the conversation
  // shows it arrived, the kept copy and the warning go, so it is not sent twice.
  useEffect(() => {
    if (!unsent || !answerArrived(unsent, history, session)) return;
    if (draft === unsent.text) setDraft("");
    setProblem(null);
    setUnsent(null);
  }, [unsent, history, session]);

  async function act(what, label, call, sent) {
    setProblem(null);
    setUnsent(null);
    setPending({ since: Date.now(), what: label, sent });
    // planbot did not answer, or refused the session: there is nothing new to read back (and it would fail too).
    let unreachable = false;
    try {
      await call();
      return true;
    } catch (error) {
      if (what === "start" && error instanceof ApiError && error.code === "already_committed") {
        if (
          confirm(`${slug} is already ${error.body.status}. Plan it again? It goes back to planning until you finish.`)
        ) {
          setPending(null);
          return act("force", label, () => api("POST", projectPath(slug, "plan/start"), { force: true }));
        }
      } else setProblem(problemOf(error));
      unreachable = error instanceof ApiError && (error.status === 0 || error.status === 401);
      if (what === "respond" && error instanceof ApiError && error.status === 0) {
        setUnsent({ text: sent, before: timesSaid(history, sent) });
        setProblem(
          problemText(
            "planbot did not answer, so it is not known whether your answer arrived. It is kept below: once the header shows live, the conversation shows it if it arrived; if not, send it again.",
          ),
        );
      }
      if (sent) setDraft(sent);
      return false;
    } finally {
      // The stored history first, then drop the "thinking" line: no moment without the sent message.
      if (!unreachable) await reload();
      setPending(null);
    }
  }

  const start = () => {
    const reading = "The planner is reading the project…";
    // Approved as is, without a plan: nothing is replaced, but it leaves approved, so it is asked once, in words
    // that do not send a newcomer looking for a plan. Unforced: a plan written meanwhile is refused as usual.
    if (project.status === "approved" && !project.has_prd) {
      if (!confirm(`${slug} is approved but has no plan yet. Plan it now? It goes back to planning until you finish.`))
        return;
    }
    return act("start", reading, () => api("POST", projectPath(slug, "plan/start"), {}));
  };
  const send = (event) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || pending) return;
    setDraft("");
    act(
      "respond",
      "The planner is thinking…",
      () => api("POST", projectPath(slug, "plan/respond"), { message: text }),
      text,
    );
  };
  const next = () =>
    act(
      "advance",
      session?.phase === "stories" ? "The planner is writing the plan…" : "The planner is moving on…",
      () => api("POST", projectPath(slug, "plan/advance")),
    );
  const finish = () => act("finalize", "Finishing the plan…", () => api("POST", projectPath(slug, "plan/finalize")));
  const stop = () =>
    confirm("Stop planning? The conversation so far is kept, and the project goes back to pending.") &&
    act("cancel", "Stopping…", () => api("POST", projectPath(slug, "plan/cancel")));

  useEffect(() => {
    if (!autoStart || started.current || history === null || session === null) return;
    started.current = true;
    replaceHash(`#/p/${encodeURIComponent(slug)}`);
    if (session.status === "expired" && project.status === "pending") start();
  }, [autoStart, history, session]);

  const open = session && session.status !== "expired";
  // A project with a plan (done, failed, blocked, approved) is not started here: planning it replaces that plan,
  // so it is "Plan again" and not the page's primary action (Run, Retry, Run again are, on the Run tab).
  const planned = Boolean(project.has_prd || project.final_plan_path);
  const complete = session?.status === "complete";
  // The turn the planner is on, started here or elsewhere (another tab, a chat), in words; null between turns.
  const thinking = pending ? pending.what : remoteTurn ? "The planner is thinking…" : null;
  // Send pressed from the answer box leaves the cursor there, as in a phone's chat app: the on-screen keyboard
  // stays up for the next answer, and the box is not left for a button the turn disables.
  const keepTyping = (event) => {
    if (document.activeElement === composer.current) event.preventDefault();
  };
  const onKey = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !enterBreaksLine) send(event);
  };
  return html`<section class="chat" aria-label="Conversation with the planner">
    ${open ? html`<p class="phase">Phase: <strong>${PHASES[session.phase] ?? session.phase}</strong>${session.phase_ready && !complete ? " — ready to move on" : ""}</p>` : null}
    <ol class="messages" ref=${log} aria-live=${announce ? "polite" : "off"}>
      ${history === null && !readProblem ? html`<li class="muted">Loading the conversation…</li>` : null}
      ${history?.length === 0 && !pending ? html`<li class="muted">No conversation yet.</li>` : null}
      ${(history ?? []).map((entry, index) => html`<${Message} key=${index} entry=${entry} />`)}
      ${pending?.sent ? html`<${Message} entry=${{ role: "user", text: pending.sent }} />` : null}
      ${remoteTurn && session.pending_message ? html`<${Message} entry=${{ role: "user", text: session.pending_message.text, user: session.pending_message.user, adapter: session.pending_message.adapter, at: session.pending_message.at, phase: session.phase }} />` : null}
      ${thinking ? html`<${Thinking} since=${pending ? pending.since : Date.parse(session.pending_message?.at ?? session.updated_at) || Date.now()} what=${thinking} />` : null}
    </ol>
    <${ThinkingStatus} what=${thinking} />
    ${readWords ? html`<p class="alert" role="alert">${readWords}</p>` : null}
    ${problemWords ? html`<div class="alert" role="alert"><${Markdown} text=${problemWords} planner=${true} /></div>` : null}
    ${
      // Not read yet (or unreadable): whether a conversation is open is unknown, so no composer claims either.
      session === null
        ? null
        : open
          ? html`<form class="composer" onSubmit=${send}>
          <label class="sr-only" for="composer-text">Your answer</label>
          <textarea id="composer-text" ref=${composer} rows="3" placeholder=${complete ? "Ask for a change, or press Finish to approve the plan" : enterBreaksLine ? "Answer the planner" : "Answer the planner (Enter sends, Shift+Enter adds a line)"} value=${draft} onInput=${(event) => setDraft(event.currentTarget.value)} onKeyDown=${onKey} readOnly=${Boolean(pending)}></textarea>
          <div class="actions">
            <button class="primary" disabled=${Boolean(pending) || !draft.trim()} onMouseDown=${keepTyping}>Send</button>
            <button type="button" onClick=${next} disabled=${Boolean(pending) || complete}>${session.phase === "stories" ? "Write the plan" : "Next phase"}</button>
            <button type="button" class=${complete ? "primary" : ""} onClick=${finish} disabled=${Boolean(pending)}>Finish</button>
            <button type="button" class="danger" onClick=${stop} disabled=${Boolean(pending)}>Stop</button>
          </div>
        </form>`
          : html`${draft ? html`<${UnsentAnswer} draft=${draft} setDraft=${setDraft} />` : null}<div class="composer idle">
          <p class="muted" tabindex="-1" ref=${closedNote}>${project.status === "planning" ? "The planning session has ended." : "No planning conversation is open."}</p>
          <button type="button" class=${planned ? "" : "primary"} onClick=${start} disabled=${Boolean(pending) || project.status.startsWith("running")}>${history?.length || planned ? "Plan again" : "Start planning"}</button>
        </div>`
    }
  </section>`;
}

/**
 * An answer typed but not sent when the session ended (stopped elsewhere, or it expired): still shown and
 * editable, so it is not lost with the composer; it is sent once a conversation is open again.
 */
function UnsentAnswer({ draft, setDraft }) {
  return html`<div class="composer unsent">
    <label for="composer-unsent">Your answer, not sent: the planning session ended before it was. It stays here; send it once planning is open again, or clear it.</label>
    <textarea id="composer-unsent" rows="3" value=${draft} onInput=${(event) => setDraft(event.currentTarget.value)}></textarea>
    <div class="actions"><button type="button" onClick=${() => setDraft("")}>Clear</button></div>
  </div>`;
}

/** How often the history holds `text` as a message of the user. */
function timesSaid(history, text) {
  return (history ?? []).filter((entry) => entry.role === "user" && entry.text === text).length;
}

/** Whether an answer sent without a reply is in the conversation now: stored, or the turn planbot is on. */
function answerArrived(unsent, history, session) {
  if (history !== null && timesSaid(history, unsent.text) > unsent.before) return true;
  const mark = session?.pending_response ? session.pending_message : null;
  return Boolean(mark?.text && unsent.text.startsWith(mark.text));
}

/** Drops the one-shot `?start` from the address without a new history entry. */
function replaceHash(hash) {
  history.replaceState(null, "", hash);
}
