import { conversationKey, targetOf, type ChatTarget } from "../chat/incoming.ts";
import { bold, code, type Reply } from "../chat/reply.ts";
import { fail, type Failure, type Result } from "../projects/result.ts";
import { firstMessage } from "./member-message.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningRequest } from "./planning-port.ts";
import { phaseLabel, plannerReply } from "./planning-replies.ts";
import { preparePlanningWorkspace } from "./planning-workspace.ts";
import { PLANNING_PHASES } from "./prompt-library.ts";
import { boundChat, findSessionForChat, findSessionForSlug, type SessionsFile } from "./session-store.ts";

/** What {@link startPlanning} uses of the planning service. */
export type StartParts = Pick<
  PlanningParts,
  | "sessions"
  | "lifecycle"
  | "directory"
  | "turns"
  | "queue"
  | "workspaceDir"
  | "gitRemoteBase"
  | "env"
  | "newId"
  | "log"
>;

/** `/plan` and `/replan`: the slug to plan, its description, and whether to start over. */
export type StartRequest = PlanningRequest & { slug: string; description?: string | undefined; force: boolean };

/**
 * Opens a planning session in the asking chat and runs the planner's first turn. The project moves to
 * planning, its workspace is prepared, and the session opens; a failure at any step leaves the project
 * pending with no open session, so `/plan` can simply be sent again.
 */
export async function startPlanning(parts: StartParts, request: StartRequest): Promise<Result<{ reply: Reply }>> {
  const { incoming, signals, slug, description, force } = request;
  const read = await parts.sessions.read();
  if (!read.ok) return read;
  const target = targetOf(incoming);
  const refused = refusal(read.sessions, target, slug, force);
  if (refused) return refused;
  const started = await parts.lifecycle.startPlanning(slug, { description, force });
  if (!started.ok) return started;
  const entry = started.entry;
  const key = conversationKey(target);
  // The planner works in the project's own workspace (a checkout of its repository), never in planbot's data folder.
  const prepared = await preparePlanningWorkspace(entry, {
    workspaceDir: parts.workspaceDir,
    gitRemoteBase: parts.gitRemoteBase,
    env: parts.env,
  });
  if (!prepared.ok) {
    // A chat words an operator's part of it without the server's details (git's error, the remote): the log keeps them.
    parts.log.warn({ slug: entry.name, operator: prepared.details?.operator }, prepared.message);
    await parts.lifecycle.cancelPlanning(entry.name);
    return startFailed(entry.name, prepared);
  }
  const text = entry.description ?? description ?? "";
  const planningSessionId = parts.newId();
  const created = await parts.directory.open({
    key,
    target,
    slug: entry.name,
    description: text,
    cwd: prepared.workspace.root,
    planningSessionId,
  });
  if (!created.ok) return created;
  await parts.lifecycle.linkPlanningSession(entry.name, planningSessionId);
  const first = await parts.queue.run(key, () =>
    parts.turns.run({
      key,
      prompt: "clarify",
      message: firstMessage({
        slug: entry.name,
        workspace: prepared.workspace.description,
        description: text,
        user: incoming.userName,
        adapter: incoming.adapter,
      }),
      shown: text,
      user: incoming.userName,
      chat: boundChat(target),
      signals,
    }),
  );
  if (!first.ok) {
    // A first turn that fails leaves the project as it was: pending, no open session.
    await parts.directory.close(key, "start_failed");
    await parts.lifecycle.cancelPlanning(entry.name);
    return startFailed(entry.name, first);
  }
  const header = `Planning ${bold(entry.name)} — ${phaseLabel(PLANNING_PHASES[0])}. Answer the planner here; ${code("/next")} moves on, ${code("/stop")} ends planning.`;
  return { ok: true, reply: plannerReply(first.session, first.text, first.ready, { header }) };
}

/**
 * Why this chat may not start planning `slug` now: it is planning something else (or the same slug
 * without `force`), or another chat plans the slug, which `/continue` joins instead.
 */
function refusal(sessions: SessionsFile, target: ChatTarget, slug: string, force: boolean): Failure | undefined {
  const here = findSessionForChat(sessions, target);
  if (here && (here.session.slug.toLowerCase() !== slug.toLowerCase() || !force)) {
    const other = here.session.slug;
    return fail(
      "invalid_state",
      other.toLowerCase() === slug.toLowerCase()
        ? `This chat is already planning ${bold(other)} (${phaseLabel(here.session.phase)}). Answer here, or ${code("/next")}; ${code(`/replan ${other} --force`)} starts over.`
        : `This chat is planning ${bold(other)}. ${code("/stop")} it first, or plan ${slug} in another chat or thread.`,
    );
  }
  const elsewhere = findSessionForSlug(sessions, slug);
  if (elsewhere && !force && elsewhere.key !== conversationKey(target)) {
    return fail(
      "invalid_state",
      `${bold(slug)} is already being planned in a ${elsewhere.session.adapter} chat. Send ${code(`/continue ${slug}`)} here to join that conversation.`,
    );
  }
  return undefined;
}

/** A failed start as the dashboard's `planning_start_failed` and the chats read it: the reason, and that the project is pending again. */
function startFailed(slug: string, failure: Failure): Failure {
  return {
    ...failure,
    message: `Could not start planning ${bold(slug)}: ${failure.message} ${bold(slug)} is pending again; ${code(`/plan ${slug}`)} tries again.`,
    details: { ...failure.details, slug, start_failed: true },
  };
}
