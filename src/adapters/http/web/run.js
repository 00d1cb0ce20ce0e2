// The run tab: Run / Retry / Cancel, progress, a live tail of the newest run log and the earlier runs.
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { problemOf, useProblemWords } from "./action-problem.js";
import { api, projectPath } from "./api.js";
import { PullRequestLink, StatusBadge, StoryBar } from "./format.js";
import { Checklist, usePrd } from "./plan.js";
import { onRunProgress } from "./live.js";
import { InlineMarkdown } from "./markdown.js";
import { offeredActions } from "./offered-actions.js";

const TAIL = 200;

function useRunLog(project, file) {
  const [log, setLog] = useState(null);
  const [problem, setProblem] = useState(null);
  const running = project.status.startsWith("running");
  useEffect(() => {
    let live = true;
    const load = () =>
      api(
        "GET",
        `${projectPath(project.slug, "run/log")}?tail=${TAIL}${file ? `&run=${encodeURIComponent(file)}` : ""}`,
      ).then(
        (data) => live && (setLog(data), setProblem(null)),
        (error) => live && setProblem(error.message),
      );
    load();
    // While Ralph runs, the log grows without the project list changing: follow it.
    const timer = running && !file ? setInterval(load, 1500) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [project.slug, project.status, project.stories_done, running, file]);
  return { log, problem };
}

/** The newest progress snapshot of this project's run while it runs (pushed over the stream), or null. */
function useRunProgress(slug, running) {
  const [progress, setProgress] = useState(null);
  useEffect(() => {
    if (!running) {
      setProgress(null);
      return undefined;
    }
    return onRunProgress((next) => {
      if (next.slug === slug) setProgress(next);
    });
  }, [slug, running]);
  return progress;
}

/** One line: iteration, the current story, commits — what the chats' progress message says. */
function ProgressLine({ progress }) {
  if (!progress) return null;
  const parts = [];
  if (progress.iteration > 0)
    parts.push(`Iteration ${progress.iteration}${progress.maxIterations ? ` of ${progress.maxIterations}` : ""}`);
  if (progress.currentStory)
    parts.push(
      `working on ${progress.currentStory.id}${progress.currentStory.title ? ` ${progress.currentStory.title}` : ""}`,
    );
  if (progress.commits > 0)
    parts.push(
      `${progress.commits} commit${progress.commits === 1 ? "" : "s"}${progress.lastCommit ? `, last: ${progress.lastCommit}` : ""}`,
    );
  if (progress.costUsd !== null) parts.push(`$${progress.costUsd.toFixed(2)} so far`);
  return html`<p class="muted" aria-live="polite" data-testid="run-progress">${parts.join(" · ")}</p>`;
}

/**
 * How the last delivery (push, pull request) went, with what to do in a member's words: the list's `advice`,
 * worded as the chats word it (member-list.ts), never the operator's hint about the server's settings.
 */
function DeliveryLine({ project }) {
  const delivery = project.delivery;
  if (!delivery) return null;
  return html`<p class=${delivery.ok ? "muted" : "alert"} data-testid="delivery">Delivery: ${delivery.what ? html`<${InlineMarkdown} text=${delivery.what} />` : delivery.summary}${delivery.advice ? html` — <${InlineMarkdown} text=${delivery.advice} />` : null} <${PullRequestLink} project=${project} /></p>
    ${
      // Where "Deliver again" cannot work with planbot's settings now: what has to change first (member-list.ts).
      !delivery.ok && delivery.again_note
        ? html`<p class="muted" data-testid="deliver-again-note"><${InlineMarkdown} text=${delivery.again_note} /></p>`
        : null
    }`;
}

/** The run tab. */
export function RunView({ project }) {
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const { log, problem } = useRunLog(project, file);
  const prd = usePrd(project);
  const pre = useRef(null);
  const said = useRef(null);
  const statusLine = useRef(null);
  // Run, Retry and Stop are disabled while asked and often gone after (the status moved on): focus that fell to
  // the page's top goes to what the page says about it instead.
  useEffect(() => {
    if (message && (!document.activeElement || document.activeElement === document.body)) said.current?.focus();
  }, [message]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [log?.text]);

  async function perform(steps) {
    setBusy(true);
    setMessage(null);
    try {
      let answer;
      for (const [path, body] of steps) answer = await api("POST", path, body);
      setMessage({ ok: true, text: answer?.message ?? "Done." });
      setFile(null);
    } catch (error) {
      setMessage({ ok: false, problem: problemOf(error) });
    } finally {
      setBusy(false);
    }
  }
  const refusal = useProblemWords(message?.ok === false ? message.problem : null);
  const status = project.status;
  const running = status.startsWith("running");
  const offered = offeredActions(project).run;
  const deliverOffered = offeredActions(project).deliver;
  const progress = useRunProgress(project.slug, running);
  // "Started Ralph…" is stale once the run has ended; a refusal stays until the next try.
  useEffect(() => {
    if (running || status === "approved") return;
    // Focus on the note that goes moves to the status line that says how the run ended, not to the page's top.
    if (message?.ok && document.activeElement === said.current) statusLine.current?.focus();
    setMessage((old) => (old?.ok ? null : old));
  }, [status]);
  const run = () => perform([[projectPath(project.slug, "run"), {}]]);
  const retry = () =>
    perform([
      ["/api/projects/approve", { slug: project.slug }],
      [projectPath(project.slug, "run"), {}],
    ]);
  const deliver = () => perform([[projectPath(project.slug, "deliver"), {}]]);
  const cancel = () =>
    confirm(`Stop Ralph and cancel ${project.slug}? Its files stay; you can plan it again later.`) &&
    perform([["/api/projects/cancel", { slug: project.slug }]]);

  return html`<section class="run">
    <div class="run-head">
      <div class="actions">
        ${
          // Without prd.json Ralph refuses to start: the page's note says to plan it first (offered-actions.js).
          offered === "run"
            ? html`<button type="button" class="primary" onClick=${run} disabled=${busy}>Run</button>`
            : null
        }
        ${
          // A failed delivery, where delivering again can work now (offered-actions.js): the finished work, no new run.
          deliverOffered
            ? html`<button type="button" class="primary" onClick=${deliver} disabled=${busy}>Deliver again</button>`
            : null
        }
        ${offered === "retry" ? html`<button type="button" class="primary" onClick=${retry} disabled=${busy}>${status === "idle" ? "Run" : "Retry"}</button>` : null}
        ${
          // Only while Ralph runs: otherwise the page's own Cancel project does it, and a bare "Cancel" here
          // read as cancelling something of this tab.
          offered === "stop"
            ? html`<button type="button" class="danger" onClick=${cancel} disabled=${busy} title="Stops Ralph now (its process group) and cancels the project">Stop and cancel</button>`
            : null
        }
        ${
          // A pending project without a plan: the page's note already says to plan it first.
          status === "planning" || (status === "pending" && project.has_prd)
            ? html`<span class="muted">Approve the plan (Finish in the conversation) to run it.</span>`
            : null
        }
        ${status === "cancelled" ? html`<span class="muted">Cancelled: Ralph does not run it. Plan it again in the conversation to bring it back.</span>` : null}
        ${status === "complete" ? html`<span class="muted">Done: every story passes, so Ralph has nothing left to do. To build more on it, Plan again in the conversation.</span>` : null}
      </div>
      <p tabindex="-1" ref=${statusLine}>${running ? html`<strong>Ralph is running</strong>${project.pid ? ` (PID ${project.pid})` : ""}` : html`Status: <${StatusBadge} status=${status} />`}
        ${" "}<${StoryBar} done=${project.stories_done} total=${project.stories_total} />
        ${running && project.eta_seconds ? html` · about ${Math.ceil(project.eta_seconds / 60)} min left` : null}</p>
      ${running ? html`<${ProgressLine} progress=${progress} />` : null}
      <${DeliveryLine} project=${project} />
      ${message?.ok ? html`<p class="note" role="status" tabindex="-1" ref=${said}>${message.text}</p>` : null}
      ${
        // planbot's words come in its reply markup (a file as `code`), as the refusal note above them does.
        refusal
          ? html`<p class="alert" role="alert" tabindex="-1" ref=${said}><${InlineMarkdown} text=${refusal} /></p>`
          : null
      }
    </div>
    <${Checklist} prd=${prd} />
    <div class="log-box">
      <h2>${file ? `Run log ${file}` : "Newest run log"} ${running && !file ? html`<span class="badge badge-running">live</span>` : null}</h2>
      ${problem ? html`<p class="alert" role="alert">${problem}</p>` : null}
      ${log && !log.file ? html`<p class="muted">No run yet.</p>` : null}
      ${log?.file ? html`<pre class="log" ref=${pre} tabindex="0" aria-label="Run log">${log.text}</pre>` : null}
      ${
        log?.runs?.length
          ? html`<h3>Runs</h3><ul class="runs">${log.runs.map(
              (entry, index) => html`<li>
          <button type="button" class="link" aria-pressed=${(file ?? log.runs[0].file) === entry.file} onClick=${() => setFile(index === 0 ? null : entry.file)}>${entry.file}</button>
          <span class="muted"> ${Math.ceil(entry.size / 1024)} KiB · ${new Date(entry.updated_at).toLocaleString()}</span></li>`,
            )}</ul>`
          : null
      }
    </div>
  </section>`;
}
