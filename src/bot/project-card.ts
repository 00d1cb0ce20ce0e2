import { editFlag } from "./edit-flag.ts";
import { runErrorParts } from "./run-error-text.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { refusalParts } from "../projects/run-refusal-field.ts";
import { join } from "node:path";
import { bold, code, escapeMarkup, type ReplyAction } from "../chat/reply.ts";
import { insideFolder } from "../chat/server-paths.ts";
import { operatorAdvice, operatorProblemLine, operatorRefusalWords } from "../notify/operator-words.ts";
import { editStep } from "../projects/error-fix.ts";
import { deliverAgainNote } from "../deliver/deliver-again-note.ts";
import { type DeliverySetup, offersDeliverAgain } from "../deliver/deliver-again-offer.ts";
import { failedDeliveryWords } from "../deliver/delivery-notices.ts";
import { whenText } from "../notify/when-text.ts";

const STATUS_LABEL: Record<string, string> = {
  "running-ralph": "running (Ralph)",
  "running-manual": "running (manual)",
  planning: "planning",
  approved: "approved — ready for Ralph",
  blocked: "blocked",
  failed: "failed",
  complete: "complete",
  idle: "idle",
  cancelled: "cancelled",
};

/**
 * A status in words. `pending` says whether a plan exists: an unapproved project keeps its plan and
 * prd.json, and "not planned yet" on it would send someone to plan it again.
 */
export function statusLabel(record: ProjectRecord): string {
  if (record.status === "pending") {
    if (!record.has_prd) return "pending — not planned yet";
    return record.stories_total > 0 && record.stories_done === record.stories_total
      ? "pending — not approved; every story already passes"
      : "pending — planned, not approved";
  }
  // Approved but its last run was refused: "ready for Ralph" would hide that it waits on a fix.
  if (record.status === "approved" && record.run_refusal) return "approved — not started, needs a fix";
  // Approved as is, before any plan: Ralph has nothing to work from until it is planned.
  if (record.status === "approved" && !record.has_prd) return "approved — not planned yet";
  return STATUS_LABEL[record.status] ?? record.status;
}

/**
 * One line per project for `/status`; an approved project whose last run was refused says why, briefly. A
 * refusal only (or partly) the operator can lift reads in a chat member's words, as on the card; the
 * operator (`operator`, the terminal) reads the refusal's own reason, paths and all.
 */
export function projectLine(record: ProjectRecord, operator = false): string {
  const stories = record.stories_total ? ` · ${record.stories_done}/${record.stories_total} stories` : "";
  return `${bold(record.slug)} — ${statusLabel(record)}${refusalReason(record, operator)}${stories}`;
}

/** The overview line's reason of a refused run, or "" for a project whose last run was not refused. */
function refusalReason(record: ProjectRecord, operator: boolean): string {
  if (!record.run_refusal) return "";
  const words = operator ? undefined : operatorRefusalWords(record.run_refusal, record.slug);
  // The member's words are already short and carry markup, which cutting could break.
  return `: ${words ? words.problem : escapeMarkup(shorten(refusalParts(record.run_refusal).why, 80))}`;
}

/** `text` cut to `max` characters with an ellipsis. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The card's lines about the last refused run: when, where, why and what to do. A machine not set up for
 * Ralph is the operator's to fix: a chat member reads whom to tell, the operator the refusal's own fix.
 */
function refusalLines(record: ProjectRecord, operator: boolean, now: Date): string[] {
  if (!record.run_refusal) return [];
  const when = whenText(record.run_refusal.at, now);
  const { why, fix } = refusalParts(record.run_refusal);
  const where = record.run_refusal.worker ? ` on worker ${code(record.run_refusal.worker)}` : "";
  // A machine not set up for Ralph ("install jq"), a script the server must make executable: for a chat
  // member, the problem, their own part of the fix where there is one, and whom to tell; the operator reads
  // the refusal's own fix below.
  const words = operator ? undefined : operatorRefusalWords(record.run_refusal, record.slug);
  if (words) return [`Not started${where} (${when}): ${words.problem}. ${words.advice}`];
  const lines = [`Not started${where} (${when}): ${escapeMarkup(shorten(why, 500))}`];
  if (fix) lines.push(`Fix: ${escapeMarkup(shorten(fix, 500))}`);
  return lines;
}

/**
 * Where the plan is, in words a chat member can use: its path inside the project's workspace. A path
 * elsewhere (another tool's entry) is left to the replies' path net (src/chat/server-paths.ts). The
 * operator, who can open it, reads the whole path.
 */
function planLine(planPath: string, slug: string, options: CardOptions): string {
  const { workspaceDir } = options;
  const inside = workspaceDir && !options.operator ? insideFolder(planPath, join(workspaceDir, slug)) : undefined;
  return inside ? `Plan: ${code(inside)} in its workspace` : `Plan: ${code(planPath)}`;
}

/** What the `/status slug` card is drawn with, besides the project. */
export interface CardOptions {
  /** The planning session's summary line, while one runs. */
  planningSummary?: string | undefined;
  /** PLANBOT_WORKSPACE_DIR: the card names the plan inside the project's workspace. */
  workspaceDir?: string | undefined;
  /** The reader is planbot's server operator (`HandleOptions.operator`): the operator's fixes, whole paths. */
  operator?: boolean | undefined;
  /** What "now" is for the card's "12 min ago" (the wall clock unless a test pins it). */
  now?: Date | undefined;
  /** The settings planbot delivers with now: a failed delivery says what must change before `/deliver` can work. */
  deliverySetup?: DeliverySetup | undefined;
}

/** The detailed card of `/status slug`; times read as people say them ("12 min ago"), never as ISO. */
export function projectCard(record: ProjectRecord, options: CardOptions = {}): string {
  const operator = options.operator === true;
  const now = options.now ?? new Date();
  const lines = [`${bold(record.slug)} — ${statusLabel(record)}`];
  if (record.description) lines.push(escapeMarkup(record.description));
  const target = [
    `repo ${code(record.repo ?? record.slug)}`,
    `branch ${code(record.branch)}`,
    `base ${code(record.base_branch ?? "main")}`,
  ].filter(Boolean);
  lines.push(target.join(" · "));
  if (record.stories_total)
    lines.push(
      `Stories: ${record.stories_done}/${record.stories_total} done${record.eta_seconds ? ` (about ${Math.round(record.eta_seconds / 60)} min left)` : ""}`,
    );
  if (record.blocked_stories.length) lines.push(`Blocked: ${record.blocked_stories.map(code).join(", ")}`);
  if (record.failed_stories.length) lines.push(`Failed: ${record.failed_stories.map(code).join(", ")}`);
  // A PID left on a finished entry is no process any more: only a running project names one.
  if (record.pid && record.status.startsWith("running"))
    lines.push(`PID ${record.pid}${record.started_at ? `, started ${whenText(record.started_at, now)}` : ""}`);
  if (record.error_operator && !operator) {
    // The stored error holds the operator's advice ("move it away"); a chat names the problem and whom to tell.
    lines.push(
      `Error: ${operatorProblemLine(record.error_operator, record.slug)} ${operatorAdvice(record.error_operator, record.slug, editStep(record.error_fix))}`,
    );
  } else if (record.error_reason) {
    const { reason, logTail } = runErrorParts(record.error_reason);
    lines.push(
      `Error: ${escapeMarkup(reason)}${record.error_fix ? ` To set the ${record.error_fix}: ${code(`/edit ${record.slug} ${editFlag(record.error_fix)}`)}.` : ""}`,
    );
    if (logTail) lines.push(`Last lines of Ralph's output:\n${escapeMarkup(logTail)}`);
  }
  lines.push(...refusalLines(record, operator, now));
  if (options.planningSummary) lines.push(options.planningSummary);
  if (record.final_plan_path) lines.push(planLine(record.final_plan_path, record.slug, options));
  if (record.pull_request) lines.push(`Pull request: [#${record.pull_request.number}](${record.pull_request.url})`);
  if (record.delivery && !record.delivery.ok) {
    // A hint naming the server's settings is the operator's: a chat member reads their own step and whom to tell.
    const { what, advice } = failedDeliveryWords({ ...record, delivery: record.delivery }, operator, 300);
    lines.push(`Delivery: ${what}${advice ? ` — ${advice}` : ""}`);
    const note = deliverAgainNote({ ...record, delivery: record.delivery }, options.deliverySetup, operator);
    if (note) lines.push(note);
  }
  return lines.join("\n");
}

/**
 * Buttons for what the project can do next, and nothing it cannot: approve what waits for approval
 * (a project without a plan, pending or approved as is, is offered planning first), run what is approved
 * and planned, re-plan what is not running or being planned, deliver again a failed delivery where `/deliver`
 * can work with `deliverySetup`, the settings planbot runs with now (none without it). A cancelled project is
 * only offered re-planning, which brings it back.
 */
export function projectActions(record: ProjectRecord, deliverySetup: DeliverySetup | undefined): ReplyAction[] {
  const actions: ReplyAction[] = [];
  const { slug, status } = record;
  // Not planned yet, approved or not: planning comes first (Ralph refuses to run without a plan).
  const unplanned = (status === "pending" || status === "approved") && !record.has_prd;
  if (unplanned) actions.push({ label: "Plan", command: `/plan ${slug}`, style: "primary" });
  if (["pending", "idle", "failed", "blocked"].includes(status))
    actions.push({ label: "Approve", command: `/approve ${slug}`, style: "success" });
  if (status === "approved" && !unplanned)
    actions.push({ label: "Run now", command: `/run ${slug}`, style: "primary" });
  // A finished run whose delivery failed is delivered again as it is (`/deliver`), without a new run, where
  // that can work now: not while planbot's settings refuse it, nor for work that stayed on a queue's worker.
  if (offersDeliverAgain(record, deliverySetup))
    actions.push({ label: "Deliver again", command: `/deliver ${slug}`, style: "primary" });
  if (!status.startsWith("running") && status !== "planning" && !unplanned)
    actions.push({ label: "Re-plan", command: `/replan ${slug}`, style: "secondary" });
  actions.push({ label: "Status", command: `/status ${slug}`, style: "secondary" });
  return actions;
}
