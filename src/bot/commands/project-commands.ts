import type { CommandSpec } from "../command-registry.ts";
import { failureReply } from "../failure-reply.ts";
import { projectActions, projectCard, projectLine } from "../project-card.ts";
import { bold, code, escapeMarkup, reply } from "../../chat/reply.ts";

const slugArg = { name: "slug", description: "the project's slug, e.g. my-app", required: true, kind: "slug" as const };

/** `/p` — propose a project. */
export const proposeCommand: CommandSpec = {
  name: "p",
  aliases: ["propose"],
  summary: "propose a new project",
  role: "member",
  // A new slug: no autocomplete from existing projects.
  args: [
    { ...slugArg, kind: "text" },
    { name: "description", description: "what the project should do", required: true, rest: true, kind: "text" },
  ],
  flags: [
    {
      name: "repo",
      type: "string",
      description: "repository name under GIT_REMOTE_BASE (default: the slug)",
      placeholder: "R",
    },
    { name: "branch", type: "string", description: "feature branch Ralph works on", placeholder: "B" },
    { name: "base", type: "string", description: "branch to start from (default: main)", placeholder: "M" },
  ],
  async handler({ args, flags, services }) {
    const result = await services.lifecycle.propose({
      slug: args.slug!,
      description: args.description!,
      repo: flags.repo as string | undefined,
      branch: flags.branch as string | undefined,
      base: flags.base as string | undefined,
    });
    if (!result.ok) return failureReply(result);
    const entry = result.entry;
    const target = [
      entry.repo ? `repo ${code(entry.repo)}` : "",
      entry.branch ? `branch ${code(entry.branch)}` : "",
      entry.base_branch ? `base ${code(entry.base_branch)}` : "",
    ]
      .filter(Boolean)
      .join(" · ");
    return reply(
      `Proposed ${bold(entry.name)}: ${escapeMarkup(entry.description ?? "")}${target ? `\n${target}` : ""}\nNext: ${code(`/plan ${entry.name}`)} to plan it with Claude, or approve it as is.`,
      {
        tone: "success",
        actions: [
          { label: "Plan", command: `/plan ${entry.name}`, style: "primary" },
          { label: "Approve", command: `/approve ${entry.name}`, style: "success" },
        ],
      },
    );
  },
};

function statusChange(
  name: "approve" | "unapprove" | "cancel",
  summary: string,
  done: (slug: string) => string,
): CommandSpec {
  return {
    name,
    summary,
    role: "admin",
    args: [slugArg],
    flags: [],
    async handler({ args, services }) {
      const result = await services.lifecycle[name](args.slug!);
      if (!result.ok) return failureReply(result);
      return reply(done(result.entry.name), { tone: "success" });
    },
  };
}

/** `/approve` — approve a project for Ralph; says so when it has no plan yet (Ralph refuses to run without one). */
const approveStatus = statusChange(
  "approve",
  "approve a project for the Ralph executor",
  (slug) => `Approved ${bold(slug)}. Ralph picks it up on the next run (or ${code(`/run ${slug}`)}).`,
);
export const approveCommand: CommandSpec = {
  ...approveStatus,
  async handler(context) {
    const done = await approveStatus.handler(context);
    const record = await context.services.lister.get(context.args.slug!);
    const plan = record.ok ? record.record : undefined;
    if (
      Array.isArray(done) ||
      done.tone !== "success" ||
      !plan ||
      (plan.has_prd && plan.stories_total > plan.stories_done)
    )
      return done;
    const slug = plan.slug;
    return reply(
      `Approved ${bold(slug)}, but Ralph needs a plan first: it has no ${code("prd.json")} with open stories, so ${code(`/run ${slug}`)} is refused until it is planned. Plan it: ${code(`/plan ${slug}`)}.`,
      {
        actions: [{ label: "Plan", command: `/plan ${slug}`, style: "primary" }],
      },
    );
  },
};
/** `/unapprove` — take an approval back. */
export const unapproveCommand = statusChange(
  "unapprove",
  "take an approval back (back to pending)",
  (slug) => `${bold(slug)} is pending again.`,
);
/** `/cancel` — cancel a project. */
export const cancelCommand = statusChange("cancel", "cancel a project", (slug) => `Cancelled ${bold(slug)}.`);

/** `/status [slug]` — all projects, or one in detail with buttons. */
export const statusCommand: CommandSpec = {
  name: "status",
  summary: "show all projects, or one in detail",
  role: "member",
  args: [{ ...slugArg, required: false }],
  flags: [],
  async handler({ args, services }) {
    if (!args.slug) {
      const result = await services.lister.list();
      if (!result.ok) return failureReply(result);
      const { projects } = result.list;
      if (projects.length === 0)
        return reply(`No projects yet. Propose one: ${code("/p my-app A todo app with reminders")}`);
      const shown = projects.slice(0, 40).map(projectLine);
      const more =
        projects.length > shown.length
          ? `\n…and ${projects.length - shown.length} more (${code("/status slug")} for one).`
          : "";
      return reply(`**Projects** (${projects.length})\n${shown.join("\n")}${more}`);
    }
    const result = await services.lister.get(args.slug);
    if (!result.ok) return failureReply(result);
    if (!result.record)
      return failureReply({
        ok: false,
        code: "not_found",
        message: `No project named "${args.slug}". ${code("/status")} lists them.`,
      });
    const summary = await services.planning?.describe(result.record.slug);
    return reply(projectCard(result.record, summary), { actions: projectActions(result.record) });
  },
};
