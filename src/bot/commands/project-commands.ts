import type { BotServices } from "../command-context.ts";
import type { CommandSpec } from "../command-registry.ts";
import { failureReply } from "../failure-reply.ts";
import { projectActions, projectCard, projectLine } from "../project-card.ts";
import { targetOf } from "../../chat/incoming.ts";
import { bold, code, escapeMarkup, reply, type Reply } from "../../chat/reply.ts";
import { nextRunText } from "../../planning/next-run-text.ts";
import type { ProjectStatus } from "../../projects/derive-status.ts";
import type { ProjectRecord } from "../../projects/project-list.ts";

const slugArg = { name: "slug", description: "the project's slug, e.g. my-app", required: true, kind: "slug" as const };

/** A project whose work is not finished and that is not cancelled: what /cancel is for. */
const UNFINISHED: readonly ProjectStatus[] = [
  "pending",
  "planning",
  "approved",
  "running-ralph",
  "running-manual",
  "blocked",
  "failed",
  "idle",
];

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
  async handler({ args, flags, services, operator }) {
    const result = await services.lifecycle.propose({
      slug: args.slug!,
      description: args.description!,
      repo: flags.repo as string | undefined,
      branch: flags.branch as string | undefined,
      base: flags.base as string | undefined,
    });
    if (!result.ok) return failureReply(result, { operator });
    const entry = result.entry;
    const target = [
      entry.repo ? `repo ${code(entry.repo)}` : "",
      entry.branch ? `branch ${code(entry.branch)}` : "",
      entry.base_branch ? `base ${code(entry.base_branch)}` : "",
    ]
      .filter(Boolean)
      .join(" · ");
    // Slugs are lower-case (echo-core's rule): a capital typed is not an error, but the name to use is told.
    const lowered =
      entry.name === args.slug
        ? ""
        : `\nSlugs are lower-case, so ${code(args.slug!)} is stored as ${bold(entry.name)}: use that name from now on.`;
    return reply(
      `Proposed ${bold(entry.name)}: ${escapeMarkup(entry.description ?? "")}${target ? `\n${target}` : ""}${lowered}\nNext: ${code(`/plan ${entry.name}`)} to plan it with Claude, or approve it as is.`,
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

/**
 * A command that sets a project's status. The reply is worded from the project as it reads afterwards
 * (`words(record after, record before, services)`), so it says what the change did rather than what was
 * asked; a plain string is a success reply. The project is read once, after the change: each read stats its
 * workspace, and the record before is that one with the entry the change replaced.
 */
function statusChange(
  name: "approve" | "unapprove" | "cancel",
  fits: readonly ProjectStatus[],
  summary: string,
  words: (
    slug: string,
    after: ProjectRecord | undefined,
    before: ProjectRecord | undefined,
    services: BotServices,
  ) => string | Reply,
): CommandSpec {
  return {
    name,
    summary,
    role: "admin",
    args: [{ ...slugArg, fits }],
    flags: [],
    async handler({ args, services, operator }) {
      const result = await services.lifecycle[name](args.slug!);
      if (!result.ok) return failureReply(result, { operator });
      const slug = result.entry.name;
      if (name === "cancel") void services.executor?.stopRun?.(slug, "cancelled")?.catch(() => undefined); // stops a running Ralph
      // The entry as the change left it, from under the lock: no second read of the store.
      const after = services.lister.recordOf(result.entry);
      // The project as the change found it: its entry from under the lock, its workspace as just read.
      const before = result.before ? services.lister.recordAs(after, result.before) : undefined;
      const worded = words(slug, after, before, services);
      return typeof worded === "string" ? reply(worded, { tone: "success" }) : worded;
    },
  };
}

/** A run still going after a status change: the change does not stop it, and the reply must not pretend so. */
function stillRunning(record: ProjectRecord | undefined): string {
  if (!record?.status.startsWith("running")) return "";
  return ` Ralph's run${record.pid ? ` (PID ${record.pid})` : ""} is still going and ends on its own; until then the project shows as running.`;
}

/** `/approve` — approve a project for Ralph; says so when it has no plan yet (Ralph refuses to run without one). */
export const approveCommand = statusChange(
  "approve",
  ["pending", "failed", "blocked", "idle"],
  "approve a project for the Ralph executor",
  (slug, plan, _before, services) => {
    const done = `Approved ${bold(slug)}.`;
    if (!plan) return done;
    if (plan.has_prd && plan.stories_total > plan.stories_done)
      return `${done} ${nextRunText(plan.slug, services.executeAt)}`;
    // A finished plan is not a missing one: telling its owner to /plan it would only meet "already approved".
    if (plan.has_prd && plan.stories_total > 0)
      return reply(
        `Approved ${bold(plan.slug)}, but every story of its plan already passes (${plan.stories_done}/${plan.stories_total}), so Ralph has nothing to do and ${code(`/run ${plan.slug}`)} is refused. To build more, plan new work: ${code(`/replan ${plan.slug} --force`)}.`,
        { actions: [{ label: "Re-plan", command: `/replan ${plan.slug} --force`, style: "primary" }] },
      );
    return reply(
      `Approved ${bold(plan.slug)}, but Ralph needs a plan first: it has no ${code("prd.json")} with open stories, so ${code(`/run ${plan.slug}`)} is refused until it is planned. Plan it: ${code(`/plan ${plan.slug}`)}.`,
      {
        actions: [{ label: "Plan", command: `/plan ${plan.slug}`, style: "primary" }],
      },
    );
  },
);
/** `/unapprove` — take an approval back. */
export const unapproveCommand = statusChange(
  "unapprove",
  ["approved"],
  "take an approval back (back to pending)",
  (slug, after, before) => {
    if (before?.status === "complete")
      return `${bold(slug)} is pending now instead of complete. Nothing is undone: every story (${before.stories_done}/${before.stories_total}) still passes on branch ${code(before.branch)}, and the plan and ${code("prd.json")} stay. Ralph does not run it while it is pending; ${code(`/approve ${slug}`)} takes it back, ${code(`/replan ${slug} --force`)} plans new work.${stillRunning(after)}`;
    if (before?.status === "pending")
      return `${bold(slug)} was not approved (it is pending), so there was nothing to take back. ${code(`/approve ${slug}`)} approves it.`;
    const was = before ? ` (it was ${before.status})` : "";
    return `${bold(slug)} is pending again${was}: Ralph does not run it until it is approved again (${code(`/approve ${slug}`)}).${stillRunning(after)}`;
  },
);
/** `/cancel` — cancel a project. */
const cancelStatus = statusChange("cancel", UNFINISHED, "cancel a project", (slug, after, before) =>
  before?.status === "cancelled"
    ? `${bold(slug)} was already cancelled; nothing changed. ${code(`/replan ${slug}`)} plans it again.`
    : `Cancelled ${bold(slug)}: it shows as cancelled and Ralph does not run it. Its files stay; ${code(`/replan ${slug}`)} plans it again.${after?.status.startsWith("running") ? ` Its running Ralph${after.pid ? ` (PID ${after.pid})` : ""} is being stopped now.` : ""}`,
);
/**
 * `/cancel` also ends the project's planning session at once, and says so, rather than leaving that to the
 * change watcher, which sees the store change only later: until then plain text in the session's chats
 * would still reach the planner of a cancelled project. The watcher still ends sessions of projects other
 * tools cancel; by then this one is closed, so its chats hear of it once.
 */
export const cancelCommand: CommandSpec = {
  ...cancelStatus,
  async handler(context) {
    const done = await cancelStatus.handler(context);
    if (Array.isArray(done) || done.tone !== "success" || !context.services.planning) return done;
    const { incoming, services } = context;
    const slug = context.args.slug!;
    const ended = await services.planning!.abandon(
      slug,
      `the project was cancelled by ${incoming.userName}`,
      targetOf(incoming),
    );
    if (!ended.ended) return done;
    const turn = ended.turnStopped ? " and the planner's turn under way was stopped" : "";
    return {
      ...done,
      text: `${done.text}\nPlanning stopped: its planning session ended${turn}, so messages in its chats no longer go to the planner.`,
    };
  },
};

/**
 * The `/status` overview of a list, built once per list and reader: while the change watcher runs it hands
 * out the same (never mutated) projects array until something changes, so a warm `/status` renders nothing.
 * The operator (the terminal) reads refusals in their own words, a chat member in theirs (project-card.ts).
 */
const overviews = {
  member: new WeakMap<readonly ProjectRecord[], Reply>(),
  operator: new WeakMap<readonly ProjectRecord[], Reply>(),
};
function overview(projects: readonly ProjectRecord[], operator: boolean): Reply {
  const overviewsFor = overviews[operator ? "operator" : "member"];
  const known = overviewsFor.get(projects);
  if (known) return known;
  let made: Reply;
  if (projects.length === 0)
    made = reply(`No projects yet. Propose one: ${code("/p my-app A todo app with reminders")}`);
  else {
    const shown = projects.slice(0, 40).map((project) => projectLine(project, operator));
    const more =
      projects.length > shown.length
        ? `\n…and ${projects.length - shown.length} more (${code("/status slug")} for one).`
        : "";
    made = reply(`**Projects** (${projects.length})\n${shown.join("\n")}${more}`);
  }
  overviewsFor.set(projects, made);
  return made;
}

/** `/status [slug]` — all projects, or one in detail with buttons. */
export const statusCommand: CommandSpec = {
  name: "status",
  summary: "show all projects, or one in detail",
  role: "member",
  args: [{ ...slugArg, required: false }],
  flags: [],
  async handler({ args, services, operator }) {
    if (!args.slug) {
      const result = await services.lister.list();
      if (!result.ok) return failureReply(result, { operator });
      return { ...overview(result.list.projects, operator === true) };
    }
    const result = await services.lister.get(args.slug);
    if (!result.ok) return failureReply(result, { operator });
    if (!result.record)
      return failureReply({
        ok: false,
        code: "not_found",
        message: `No project named "${args.slug}". ${code("/status")} lists them.`,
      });
    const summary = await services.planning?.describe(result.record.slug);
    const deliverySetup = services.delivery?.setup();
    const card = projectCard(result.record, {
      planningSummary: summary,
      workspaceDir: services.workspaceDir,
      operator,
      deliverySetup,
    });
    return reply(card, { actions: projectActions(result.record, deliverySetup) });
  },
};
