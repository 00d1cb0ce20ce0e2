import type { Result } from "../../projects/result.ts";
import type { CommandContext } from "../command-context.ts";
import type { CommandSpec } from "../command-registry.ts";
import { failureReply } from "../failure-reply.ts";
import { approveEndedRun } from "../retry-run.ts";
import type { PlanningPort } from "../../planning/planning-port.ts";
import { errorReply, type Reply } from "../../chat/reply.ts";

const slugArg = { name: "slug", description: "the project's slug", required: true, kind: "slug" as const };

/** Runs a planning call, or says planning is not set up in this process. */
async function withPlanning(
  context: CommandContext,
  call: (planning: PlanningPort) => Promise<Result<{ reply: Reply }>>,
): Promise<Reply> {
  const planning = context.services.planning;
  if (!planning) return errorReply("Planning is not available yet in this planbot.");
  const result = await call(planning);
  return result.ok ? result.reply : failureReply(result, context);
}

const request = (context: CommandContext) => ({ incoming: context.incoming, signals: context.signals });

/** `/plan` — start planning in this chat. */
export const planCommand: CommandSpec = {
  name: "plan",
  summary: "plan a project with Claude in this chat",
  role: "member",
  slow: true,
  opensSession: true,
  args: [
    { ...slugArg, fits: ["pending", "planning"] },
    {
      name: "description",
      description: "what to build (needed if the project is new)",
      required: false,
      rest: true,
      kind: "text",
    },
  ],
  flags: [],
  handler: (context) =>
    withPlanning(context, (planning) =>
      planning.start({
        ...request(context),
        slug: context.args.slug!,
        description: context.args.description,
        force: false,
      }),
    ),
};

/** `/replan` — plan a project again; committed projects need `--force` (admins). */
export const replanCommand: CommandSpec = {
  name: "replan",
  summary: "plan a project again (approved or finished ones need --force)",
  role: "member",
  slow: true,
  opensSession: true,
  args: [{ ...slugArg, fits: ["approved", "failed", "blocked", "complete", "idle"] }],
  flags: [
    { name: "force", type: "boolean", description: "re-plan even if approved, running or complete", role: "admin" },
  ],
  handler: (context) =>
    withPlanning(context, (planning) =>
      planning.start({ ...request(context), slug: context.args.slug!, force: context.flags.force === true }),
    ),
};

/** `/next` — move to the next planning phase. */
export const nextCommand: CommandSpec = {
  name: "next",
  summary: "move planning to the next phase",
  role: "member",
  slow: true,
  args: [],
  flags: [],
  handler: (context) => withPlanning(context, (planning) => planning.next(request(context))),
};

/** `/done` — write the final plan and approve the project. */
export const doneCommand: CommandSpec = {
  name: "done",
  summary: "finish planning: write the plan and approve the project",
  role: "member",
  slow: true,
  args: [],
  flags: [],
  handler: (context) => withPlanning(context, (planning) => planning.done(request(context))),
};

/** `/stop` — abandon planning; the project goes back to pending. */
export const stopCommand: CommandSpec = {
  name: "stop",
  summary: "stop planning (the project goes back to pending)",
  role: "member",
  args: [],
  flags: [],
  handler: (context) => withPlanning(context, (planning) => planning.stop(request(context))),
};

/** `/continue` — join this chat to a project's planning session. */
export const continueCommand: CommandSpec = {
  name: "continue",
  summary: "continue a project's planning session from this chat",
  role: "member",
  // Like /plan it makes every message of its chat an answer: where the platform opens a thread for that
  // (Discord text channels), the session joins there, not the whole channel.
  opensSession: true,
  args: [{ ...slugArg, fits: ["planning"] }],
  flags: [],
  handler: (context) =>
    withPlanning(context, (planning) => planning.continueIn({ ...request(context), slug: context.args.slug! })),
};

/** `/run` — run one approved project through Ralph now. */
export const runCommand: CommandSpec = {
  name: "run",
  summary: "run an approved project through Ralph now (retries a failed or blocked one)",
  role: "admin",
  slow: true,
  args: [{ ...slugArg, fits: ["approved", "failed", "blocked"] }],
  flags: [],
  async handler({ args, services, operator }) {
    if (!services.executor) return errorReply("The Ralph executor is not available yet in this planbot.");
    // A failed or blocked project is retried: approved again, then run (src/bot/retry-run.ts).
    const retry = await approveEndedRun(services, args.slug!);
    if (!retry.ok) return failureReply(retry, { operator });
    const result = await services.executor.runNow(args.slug!);
    if (!result.ok) return failureReply(result, { operator });
    return { text: result.message, tone: "success" };
  },
};
