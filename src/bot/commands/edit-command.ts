import { usageLine, type CommandSpec } from "../command-registry.ts";
import { failureReply } from "../failure-reply.ts";
import { bold, code, errorReply, escapeMarkup, reply } from "../../chat/reply.ts";
import type { FieldChange } from "../../projects/lifecycle.ts";

/** Descriptions are long: the reply shows this much of the old one. */
const OLD_DESCRIPTION_SHOWN = 80;

/**
 * `/edit <slug> [description…] [--repo R] [--branch B] [--base M]` — fix a proposed project's repository,
 * branch, base or description instead of cancelling it and proposing again. Members may edit, like `/p`
 * (projects record no owner, so there is no "own project" to tell apart); the lifecycle refuses an edit
 * while the project is planned or run, and a new repo or branch once its work was pushed.
 */
export const editCommand: CommandSpec = {
  name: "edit",
  summary: "change a project's repo, branch, base or description (members)",
  role: "member",
  args: [
    { name: "slug", description: "the project's slug, e.g. my-app", required: true, kind: "slug" },
    { name: "description", description: "a new description (optional)", required: false, rest: true, kind: "text" },
  ],
  flags: [
    { name: "repo", type: "string", description: "repository name under GIT_REMOTE_BASE", placeholder: "R" },
    { name: "branch", type: "string", description: "feature branch Ralph works on", placeholder: "B" },
    { name: "base", type: "string", description: "branch to start from", placeholder: "M" },
  ],
  async handler({ args, flags, services, command, operator }) {
    const edit = {
      description: args.description,
      repo: flags.repo as string | undefined,
      branch: flags.branch as string | undefined,
      base: flags.base as string | undefined,
    };
    if (Object.values(edit).every((value) => value === undefined))
      return errorReply(
        `${code(`/edit ${args.slug}`)} needs something to change: a new description, ${code("--repo")}, ${code("--branch")} or ${code("--base")}, e.g. ${code(`/edit ${args.slug} --base main`)}.\nUsage: ${code(usageLine(command))}`,
      );
    const result = await services.lifecycle.edit(args.slug!, edit);
    if (!result.ok) return failureReply(result, { operator });
    const slug = result.entry.name;
    if (result.changes.length === 0)
      return reply(`Nothing changed: ${bold(slug)} already has ${describeAsked(edit)}.`, {
        actions: [{ label: "Status", command: `/status ${slug}`, style: "secondary" }],
      });
    const clone = result.oldClone ? oldCloneNote(result.oldClone, slug, operator) : "";
    return reply(`Edited ${bold(slug)}:\n${result.changes.map(changeLine).join("\n")}${clone}`, {
      tone: "success",
      actions: [{ label: "Status", command: `/status ${slug}`, style: "secondary" }],
    });
  },
};

/**
 * Moving the old clone away is the operator's job on the server: the operator (the terminal) reads which
 * folder, as the CLI says it; a chat member reads whom to ask.
 */
function oldCloneNote(folder: string, slug: string, operator: boolean): string {
  if (operator)
    return `\n${code(folder)} still holds a clone of the old repository: move it away before you plan or run ${bold(slug)} again (planbot never deletes a workspace).`;
  return `\nIts workspace on the server still holds a clone of the old repository, and planbot never deletes a workspace: before it is planned or run again, planbot's admin must move that folder away. Please tell them.`;
}

/** One changed field, e.g. "- base `nosuch` → `main`". */
function changeLine(change: FieldChange): string {
  if (change.field === "description") {
    const old = change.from ?? "";
    const shown = old.length > OLD_DESCRIPTION_SHOWN ? `${old.slice(0, OLD_DESCRIPTION_SHOWN - 1)}…` : old;
    return `- description: ${escapeMarkup(shown) || "(none)"} → ${escapeMarkup(change.to)}`;
  }
  return `- ${change.field} ${change.from === null ? "(default)" : code(change.from)} → ${code(change.to)}`;
}

/** The values asked for, for the no-op answer: "base `main` and repo `shop`". */
function describeAsked(edit: Record<string, string | undefined>): string {
  const named = ["repo", "branch", "base"]
    .filter((field) => edit[field] !== undefined)
    .map((field) => `${field} ${code(edit[field]!)}`);
  if (edit.description !== undefined) named.push("that description");
  return named.join(" and ");
}
