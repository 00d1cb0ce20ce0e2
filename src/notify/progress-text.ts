import type { RunProgress } from "../execute/run-progress.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { bold, code, escapeMarkup, type Reply, type ReplyAction } from "../chat/reply.ts";
import { operatorProblemLine } from "./operator-words.ts";
import { elapsedText } from "./when-text.ts";

/** The second line: iteration, time, commits and cost; `ran` for a finished run. */
function detailLine(progress: RunProgress, now: Date, verb: "elapsed" | "ran"): string {
  const parts: string[] = [];
  if (progress.iteration > 0)
    parts.push(`iteration ${progress.iteration}${progress.maxIterations ? ` of ${progress.maxIterations}` : ""}`);
  else parts.push("starting");
  const time = elapsedText(progress.startedAt, now);
  parts.push(verb === "elapsed" ? `${time} elapsed` : `ran ${time}`);
  if (progress.commits > 0)
    parts.push(
      `${progress.commits} commit${progress.commits === 1 ? "" : "s"}${progress.lastCommit ? `, last: ${code(progress.lastCommit.slice(0, 120))}` : ""}`,
    );
  if (progress.costUsd !== null) parts.push(`cost so far $${progress.costUsd.toFixed(2)}`);
  if (progress.worker) parts.push(`on ${escapeMarkup(progress.worker)}`);
  return parts.join(" · ");
}

/** The story line: `story 2/5: US-3 Add reminders` (the story being worked on is k = done + 1). */
function storyLine(progress: RunProgress): string {
  if (progress.storiesTotal === 0) return "no stories in prd.json yet";
  const current = progress.currentStory;
  if (!current) return `all ${progress.storiesTotal} stories pass`;
  const k = Math.min(progress.storiesDone + 1, progress.storiesTotal);
  const title = current.title ? ` ${escapeMarkup(current.title.slice(0, 120))}` : "";
  return `story ${k}/${progress.storiesTotal}: ${escapeMarkup(current.id)}${title} (${progress.storiesDone} done)`;
}

const buttons = (slug: string): ReplyAction[] => [
  { label: "Status", command: `/status ${slug}`, style: "secondary" },
  { label: "Cancel", command: `/cancel ${slug}`, style: "danger" },
];

/** The progress message of a running run (edited in place as it moves on). */
export function progressReply(progress: RunProgress, now: Date): Reply {
  return {
    text: `${bold(progress.slug)} — Ralph is working on ${storyLine(progress)}\n${detailLine(progress, now, "elapsed")}`,
    actions: buttons(progress.slug),
  };
}

/** How the run ended, from the project's status once Ralph is gone. */
function endingText(record: ProjectRecord | undefined): string {
  if (!record) return "ended (the project is gone)";
  const reason = record.error_reason.split("\n")[0]?.trim();
  switch (record.status) {
    case "complete":
      return "finished: complete";
    case "failed":
      if (record.error_operator) return `finished: failed — ${operatorProblemLine(record.error_operator, record.slug)}`;
      return `finished: failed${reason ? ` — ${escapeMarkup(reason.slice(0, 200))}` : ""}`;
    case "blocked":
      return "finished: blocked";
    case "cancelled":
      // Said as such, not from the error: the stop's reason may not be recorded yet when the status turns.
      return "stopped: the project was cancelled";
    default:
      return reason?.startsWith("stopped")
        ? `ended — ${escapeMarkup(reason.slice(0, 200))}`
        : `ended (${record.status})`;
  }
}

/** The last edit of a progress message: how the run ended, with the last known progress. */
export function finalReply(
  slug: string,
  last: RunProgress | undefined,
  record: ProjectRecord | undefined,
  now: Date,
): Reply {
  const stories = record
    ? `${record.stories_done}/${record.stories_total} stories pass`
    : last
      ? `${last.storiesDone}/${last.storiesTotal} stories pass`
      : "";
  const detail = last
    ? `\n${detailLine({ ...last, storiesDone: record?.stories_done ?? last.storiesDone }, now, "ran")}`
    : "";
  return { text: `${bold(slug)} — Ralph ${endingText(record)}${stories ? ` · ${stories}` : ""}${detail}` };
}

/** The stall notice: a separate message (people should hear it), with Status and Cancel. */
export function stallReply(progress: RunProgress, quietMinutes: number, stallMinutes: number, now: Date): Reply {
  const quiet = quietMinutes < 1 ? `${Math.round(quietMinutes * 60)} s` : `${Math.floor(quietMinutes)} min`;
  return {
    text: `${bold(progress.slug)} may be stuck: no change to prd.json and no new output from Ralph for ${quiet} (RALPH_STALL_MINUTES=${stallMinutes}). It is on ${storyLine(progress)}; ${detailLine(progress, now, "elapsed")}. Look with ${code(`/status ${progress.slug}`)}, or cancel it.`,
    tone: "error",
    actions: buttons(progress.slug),
  };
}
