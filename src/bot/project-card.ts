import type { ProjectRecord } from "../projects/project-list.ts";
import { bold, code, escapeMarkup, type ReplyAction } from "../chat/reply.ts";

const STATUS_LABEL: Record<string, string> = {
  "running-ralph": "running (Ralph)",
  "running-manual": "running (manual)",
  planning: "planning",
  approved: "approved — waiting for Ralph",
  pending: "pending — not planned yet",
  blocked: "blocked",
  failed: "failed",
  complete: "complete",
  idle: "idle",
};

/** One line per project for `/status`. */
export function projectLine(record: ProjectRecord): string {
  const stories = record.stories_total ? ` · ${record.stories_done}/${record.stories_total} stories` : "";
  return `${bold(record.slug)} — ${STATUS_LABEL[record.status] ?? record.status}${stories}`;
}

/** The detailed card of `/status slug`. */
export function projectCard(record: ProjectRecord, planningSummary?: string): string {
  const lines = [`${bold(record.slug)} — ${STATUS_LABEL[record.status] ?? record.status}`];
  if (record.description) lines.push(escapeMarkup(record.description));
  const target = [
    `repo ${code(record.repo ?? record.slug)}`,
    record.branch ? `branch ${code(record.branch)}` : "",
    `base ${code(record.base_branch ?? "main")}`,
  ].filter(Boolean);
  lines.push(target.join(" · "));
  if (record.stories_total)
    lines.push(
      `Stories: ${record.stories_done}/${record.stories_total} done${record.eta_seconds ? ` (about ${Math.round(record.eta_seconds / 60)} min left)` : ""}`,
    );
  if (record.blocked_stories.length) lines.push(`Blocked: ${record.blocked_stories.map(code).join(", ")}`);
  if (record.failed_stories.length) lines.push(`Failed: ${record.failed_stories.map(code).join(", ")}`);
  if (record.pid) lines.push(`PID ${record.pid}${record.started_at ? `, started ${record.started_at}` : ""}`);
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

/** Buttons that fit a project's status: approve what is not approved, re-plan, run what is approved. */
export function projectActions(record: ProjectRecord): ReplyAction[] {
  const actions: ReplyAction[] = [];
  if (["pending", "idle", "failed", "blocked"].includes(record.status))
    actions.push({ label: "Approve", command: `/approve ${record.slug}`, style: "success" });
  if (record.status === "approved")
    actions.push({ label: "Run now", command: `/run ${record.slug}`, style: "primary" });
  if (!record.status.startsWith("running") && record.status !== "planning")
    actions.push({ label: "Re-plan", command: `/replan ${record.slug}`, style: "secondary" });
  actions.push({ label: "Status", command: `/status ${record.slug}`, style: "secondary" });
  return actions;
}
