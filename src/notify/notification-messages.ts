import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { editStep, FIXABLE_FIELDS } from "../projects/error-fix.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { readWorkspaceTextSync } from "../projects/workspace-files.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { nextRunText } from "../planning/next-run-text.ts";
import {
  bold,
  choiceIdFor,
  code,
  codeBlock,
  escapeMarkup,
  type Reply,
  type ReplyAction,
  type ReplyAttachment,
} from "../chat/reply.ts";
import type { RunFacts } from "./run-facts.ts";
import { blockedLines, reportLines } from "./run-report.ts";
import { operatorAdvice, operatorProblemLine } from "./operator-words.ts";

/** Which chats hear a transition: the notify channels hear all, planning chats hear how the run went. */
export type Audience = "channels" | "everyone";

/** A notification for a status transition, or undefined when the transition is not worth a message. */
export interface Notification {
  reply: Reply;
  audience: Audience;
}

const statusButton = (slug: string) => ({ label: "Status", command: `/status ${slug}`, style: "secondary" as const });
/** What a person can do after a failed or blocked run: one choice, spent by the first press in any chat. */
const afterFailureButtons = (slug: string): ReplyAction[] => [
  { label: "Retry", command: `/run ${slug}`, style: "primary" },
  { label: "Re-plan", command: `/replan ${slug}`, style: "secondary" },
  { label: "Cancel", command: `/cancel ${slug}`, style: "danger" },
];

/** How to set the field that fixes the failure (a missing base, a repo that cannot be cloned), in chat words. */
const fixText = (record: ProjectRecord) =>
  record.error_fix
    ? ` To set the ${record.error_fix}: ${code(`/edit ${record.slug} --${record.error_fix} ${FIXABLE_FIELDS[record.error_fix]}`)}.`
    : "";

/** Every copy of one run's report (each chat, each retry of a send) shares its choice; the next run gets a new one. */
const reportChoice = (record: ProjectRecord) =>
  choiceIdFor(
    `run-report:${record.slug.toLowerCase()}:${record.status}:${record.started_at ?? ""}:${record.last_iteration_at ?? ""}`,
  );

/**
 * Turns a transition into a message: proposed, planning started, approved, Ralph started, complete,
 * failed and blocked. Everything else (idle, cancelled, a manual process) stays quiet.
 */
export function notificationFor(
  record: ProjectRecord,
  previous: string | undefined,
  options: {
    workspaceDir: string;
    now: Date;
    facts?: RunFacts | undefined;
    executeAt?: string | undefined;
    /** `final-plan.md` of an approved project, attached to the approved notice when it could be read. */
    planDocument?: ReplyAttachment | undefined;
  },
): Notification | undefined {
  const report = options.facts ? reportLines(options.facts) : [];
  const withReport = (text: string) => [text, ...report].join("\n");
  const slug = record.slug;
  const name = bold(slug);
  switch (record.status) {
    case "pending":
      if (previous !== undefined) return undefined;
      return {
        audience: "channels",
        reply: {
          text: `New project ${name} proposed: ${escapeMarkup(record.description.slice(0, 300))}`,
          actions: [{ label: "Plan", command: `/plan ${slug}`, style: "primary" }, statusButton(slug)],
        },
      };
    case "planning":
      return { audience: "channels", reply: { text: `Planning started for ${name}.`, actions: [statusButton(slug)] } };
    case "approved":
      return {
        audience: "channels",
        reply: {
          text: `${name} is approved and waits for Ralph. ${nextRunText(slug, options.executeAt)}${options.planDocument ? `\nThe plan is attached as ${code(options.planDocument.name)}.` : ""}`,
          tone: "success",
          actions: [{ label: "Run now", command: `/run ${slug}`, style: "primary" }, statusButton(slug)],
          ...(options.planDocument ? { attachment: options.planDocument } : {}),
        },
      };
    case "running-ralph":
      return {
        audience: "everyone",
        reply: {
          text: `Ralph started on ${name}${record.branch ? ` (branch ${code(record.branch)})` : ""}: ${record.stories_total} stories to go.`,
          actions: [statusButton(slug)],
        },
      };
    case "complete":
      return {
        audience: "everyone",
        reply: {
          text: withReport(
            `${name} is complete: ${record.stories_done}/${record.stories_total} stories pass on branch ${code(record.branch)}${runTime(record, options.now)}.${record.pull_request ? ` Pull request: [#${record.pull_request.number}](${record.pull_request.url})` : ""}`,
          ),
          tone: "success",
          actions: [statusButton(slug)],
        },
      };
    case "failed": {
      // The sentence ends after the run time: a reason's own closing period would make it "repo..".
      const reason = record.error_reason
        ? escapeMarkup(
            record.error_reason
              .split("\n")[0]!
              .slice(0, 300)
              .replace(/[.\s]+$/, ""),
          )
        : record.failed_stories.length
          ? `stories ${record.failed_stories.map(code).join(", ")} failed`
          : "no reason recorded";
      const tail = lastLogLines(options.workspaceDir, slug, 10);
      const text = `${withReport(`${name} failed: ${reason}${runTime(record, options.now)}.${fixText(record)}`)}${tail ? `\nLast log lines:\n${codeBlock(tail)}` : ""}`;
      // The operator's own words ("move it away") are for the operator (the CLI, the terminal): a chat
      // names the problem and whom to tell.
      const forMembers =
        record.error_operator &&
        withReport(
          `${name} failed${runTime(record, options.now)}. ${operatorProblemLine(record.error_operator, slug)} ${operatorAdvice(record.error_operator, slug, editStep(record.error_fix))}`,
        );
      return {
        audience: "everyone",
        reply: {
          ...(forMembers ? { text: forMembers, operatorText: text } : { text }),
          tone: "error",
          actions: afterFailureButtons(slug),
          choice: reportChoice(record),
        },
      };
    }
    case "blocked":
      return {
        audience: "everyone",
        reply: {
          text: [
            withReport(
              `${name} is blocked: ${record.blocked_stories.length ? `stories ${record.blocked_stories.map(code).join(", ")} cannot proceed` : "every remaining story is blocked"} (${record.stories_done}/${record.stories_total} done). Re-plan or unblock them.`,
            ),
            ...(options.facts ? blockedLines(options.facts) : []),
          ].join("\n"),
          tone: "error",
          actions: afterFailureButtons(slug),
          choice: reportChoice(record),
        },
      };
    default:
      return undefined;
  }
}

function runTime(record: ProjectRecord, now: Date): string {
  if (!record.started_at) return "";
  const ms = now.getTime() - Date.parse(record.started_at);
  if (!Number.isFinite(ms) || ms < 0) return "";
  const minutes = Math.round(ms / 60_000);
  return minutes < 1
    ? ", after less than a minute"
    : minutes < 90
      ? `, after ${minutes} min`
      : `, after ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The last lines of the newest log in `scripts/ralph/logs`, for failure messages. The folder and the logs
 * come from the repository's branch: a link among them is skipped, never followed (it could point at any
 * file planbot can read, and the message goes to a chat).
 */
export function lastLogLines(workspaceDir: string, slug: string, count: number): string {
  const paths = workspacePaths(workspaceDir, slug);
  try {
    if (!lstatSync(paths.logs, { throwIfNoEntry: false })?.isDirectory()) return "";
    const newest = readdirSync(paths.logs)
      .filter((name) => name.endsWith(".log"))
      .map((name) => ({ name, stats: lstatSync(join(paths.logs, name), { throwIfNoEntry: false }) }))
      .filter((log) => log.stats?.isFile())
      .sort((a, b) => (b.stats?.mtimeMs ?? 0) - (a.stats?.mtimeMs ?? 0))[0];
    if (!newest) return "";
    const text = readWorkspaceTextSync(paths.root, join(paths.logs, newest.name)) ?? "";
    return text.trimEnd().split("\n").slice(-count).join("\n").slice(-1500);
  } catch {
    return "";
  }
}
