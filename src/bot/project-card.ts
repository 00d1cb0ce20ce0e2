import type { ProjectRecord } from "../projects/project-list.ts";
import { bold, code, escapeMarkup, type ReplyAction } from "../chat/reply.ts";

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
  return STATUS_LABEL[record.status] ?? record.status;
}

/** One line per project for `/status`. */
export function projectLine(record: ProjectRecord): string {
  const stories = record.stories_total ? ` · ${record.stories_done}/${record.stories_total} stories` : "";
  return `${bold(record.slug)} — ${statusLabel(record)}${stories}`;
}

/** The detailed card of `/status slug`. */
export function projectCard(record: ProjectRecord, planningSummary?: string): string {
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
    lines.push(`PID ${record.pid}${record.started_at ? `, started ${record.started_at}` : ""}`);
  if (record.error_reason) lines.push(`Error: ${escapeMarkup(record.error_reason.slice(0, 500))}`);
  if (planningSummary) lines.push(planningSummary);
  if (record.final_plan_path) lines.push(`Plan: ${code(record.final_plan_path)}`);
  if (record.pull_request) lines.push(`Pull request: [#${record.pull_request.number}](${record.pull_request.url})`);
  if (record.delivery && !record.delivery.ok)
    lines.push(
      `Delivery: ${escapeMarkup(record.delivery.summary.slice(0, 300))}${record.delivery.hint ? ` — ${escapeMarkup(record.delivery.hint)}` : ""}`,
    );
  return lines.join("\n");
}

/**
 * Buttons for what the project can do next, and nothing it cannot: approve what waits for approval
 * (a pending project without a plan is offered planning first), run what is approved, re-plan what is not
 * running or being planned. A cancelled project is only offered re-planning, which brings it back.
 */
export function projectActions(record: ProjectRecord): ReplyAction[] {
  const actions: ReplyAction[] = [];
  const { slug, status } = record;
  if (status === "pending" && !record.has_prd)
    actions.push({ label: "Plan", command: `/plan ${slug}`, style: "primary" });
  if (["pending", "idle", "failed", "blocked"].includes(status))
    actions.push({ label: "Approve", command: `/approve ${slug}`, style: "success" });
  if (status === "approved") actions.push({ label: "Run now", command: `/run ${slug}`, style: "primary" });
  if (!status.startsWith("running") && status !== "planning" && !(status === "pending" && !record.has_prd))
    actions.push({ label: "Re-plan", command: `/replan ${slug}`, style: "secondary" });
  actions.push({ label: "Status", command: `/status ${slug}`, style: "secondary" });
  return actions;
}
