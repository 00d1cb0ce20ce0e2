// The conversation with the planner as a chat: what the page shows and does with it. Its parts live beside it:
// the messages (chat-messages.js), the answer box (composer.js) and the reads of the conversation (conversation-reads.js).
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { problemOf, problemText, useProblemWords } from "./action-problem.js";
import { ApiError, api, projectPath } from "./api.js";
import { useDraft } from "./draft.js";
import { Markdown } from "./markdown.js";
import { remoteTurnPending } from "./remote-turn.js";
import { useAnnounceOnceShown, useFocusAfterTurn } from "./chat-attention.js";
import { MessageList, PHASES, ThinkingStatus } from "./chat-messages.js";
import { AnswerForm, UnsentAnswer } from "./composer.js";
import { useConversationReads } from "./conversation-reads.js";

/** The conversation tab. */
export function Conversation({ project, autoStart, epoch }) {
  const slug = project.slug;
  // The preview changes whenever the conversation moves, wherever it was answered (another tab, a chat).
  // `epoch` moves when the live stream reconnects: what was said while planbot was unreachable is read then.
  const { history, session, readProblem, reload } = useConversationReads(slug, [
    project.status,
    project.last_message_preview,
    epoch,
  ]);
  const [pending, setPending] = useState(null);
  const [problem, setProblem] = useState(null);
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
  return html`<section class="chat" aria-label="Conversation with the planner">
    ${open ? html`<p class="phase">Phase: <strong>${PHASES[session.phase] ?? session.phase}</strong>${session.phase_ready && !complete ? " — ready to move on" : ""}</p>` : null}
    <${MessageList} list=${log} announce=${announce} history=${history} loading=${history === null && !readProblem} pending=${pending} remoteTurn=${remoteTurn} session=${session} thinking=${thinking} />
    <${ThinkingStatus} what=${thinking} />
    ${readWords ? html`<p class="alert" role="alert">${readWords}</p>` : null}
    ${problemWords ? html`<div class="alert" role="alert"><${Markdown} text=${problemWords} planner=${true} /></div>` : null}
    ${
      // Not read yet (or unreadable): whether a conversation is open is unknown, so no composer claims either.
      session === null
        ? null
        : open
          ? html`<${AnswerForm} session=${session} draft=${draft} setDraft=${setDraft} busy=${Boolean(pending)} box=${composer} actions=${{ send, next, finish, stop }} />`
          : html`${draft ? html`<${UnsentAnswer} draft=${draft} setDraft=${setDraft} />` : null}<div class="composer idle">
          <p class="muted" tabindex="-1" ref=${closedNote}>${project.status === "planning" ? "The planning session has ended." : "No planning conversation is open."}</p>
          <button type="button" class=${planned ? "" : "primary"} onClick=${start} disabled=${Boolean(pending) || project.status.startsWith("running")}>${history?.length || planned ? "Plan again" : "Start planning"}</button>
        </div>`
    }
  </section>`;
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
