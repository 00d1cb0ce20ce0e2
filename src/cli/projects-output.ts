import { editFlag } from "../bot/edit-flag.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { DeliveryField } from "../projects/schemas.ts";
import { refusalParts } from "../projects/run-refusal-field.ts";
import { whenText } from "../notify/when-text.ts";

/** The project list as a table for a terminal: slug, status, stories done, the start of the description. */
export function formatTable(projects: ProjectRecord[], version: number): string {
  if (projects.length === 0)
    return `no projects yet (version ${version}); propose one with: planbot projects propose <slug> <description>`;
  const rows = projects.map((p) => [
    p.slug,
    p.status,
    p.stories_total ? `${p.stories_done}/${p.stories_total}` : "-",
    p.description.replace(/\s+/g, " ").slice(0, 60),
  ]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((row) => row[i]!.length), ["SLUG", "STATUS", "STORIES"][i]!.length),
  );
  const line = (cells: string[]) => cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ");
  // Approved projects whose last run was refused, below the table: the status alone hides that they wait on a fix.
  const refused = projects.flatMap((p) =>
    p.run_refusal
      ? [`${p.slug} was not started: ${refusalParts(p.run_refusal).why} (planbot projects show ${p.slug})`]
      : [],
  );
  return [
    line(["SLUG", "STATUS", "STORIES", "DESCRIPTION"]),
    ...rows.map(line),
    `(${projects.length} ${projects.length === 1 ? "project" : "projects"}, version ${version})`,
    ...refused,
  ].join("\n");
}

/**
 * One project as `key: value` lines, leaving out what it does not have; times read "12 min ago" (`--json` keeps
 * ISO). `deliverAgain` is the `deliver again:` line of a failed delivery (deliver-again-hint.ts), when there is one.
 */
export function formatRecord(p: ProjectRecord, now: Date = new Date(), deliverAgain?: string): string {
  const lines = [
    `${p.slug}: ${p.status}`,
    `description: ${p.description}`,
    p.repo || p.branch || p.base_branch
      ? `repo: ${p.repo ?? p.slug}  branch: ${p.branch ?? "-"}  base: ${p.base_branch ?? "main"}`
      : "",
    p.stories_total ? `stories: ${p.stories_done}/${p.stories_total}` : "",
    p.proposed_at ? `proposed: ${whenText(p.proposed_at, now)}` : "",
    p.approved_at ? `approved: ${whenText(p.approved_at, now)}` : "",
    p.started_at ? `started: ${whenText(p.started_at, now)}${p.pid ? ` (PID ${p.pid})` : ""}` : "",
    p.final_plan_path ? `plan: ${p.final_plan_path}` : "",
    p.error_reason
      ? `error: ${p.error_reason}${p.error_fix ? ` To set the ${p.error_fix}: planbot projects edit ${p.slug} ${editFlag(p.error_fix)}` : ""}`
      : "",
    ...refusalFields(p, now),
    p.pull_request ? `pull request: #${p.pull_request.number} ${p.pull_request.url}` : "",
    p.delivery ? deliveryField(p.delivery, now) : "",
    deliverAgain ?? "",
  ];
  return lines.filter(Boolean).join("\n");
}

/** How the last push went, in git's and GitHub's words; a failure with the whole hint (the shell is the operator's). */
function deliveryField(delivery: DeliveryField, now: Date): string {
  const when = whenText(delivery.at, now);
  if (delivery.ok) return `delivered: ${when}: ${delivery.summary}`;
  return `delivery failed: ${when}: ${delivery.summary}${delivery.hint ? ` — ${delivery.hint}` : ""}`;
}

/** `not started:` (when, where, why) and `fix:` lines of a project whose last run was refused. */
function refusalFields(p: ProjectRecord, now: Date): string[] {
  if (!p.run_refusal) return [];
  const { why, fix } = refusalParts(p.run_refusal);
  const where = p.run_refusal.worker ? ` on worker ${p.run_refusal.worker}` : "";
  return [`not started: ${whenText(p.run_refusal.at, now)}${where}: ${why}`, fix ? `fix: ${fix}` : ""];
}
