import type { Logger } from "../log.ts";
import type { Result } from "../projects/result.ts";
import type { ConversationLog } from "./conversation-log.ts";
import { seedMessage } from "./member-message.ts";
import type { PlannerAnswer, PlannerBackend } from "./planner-backend.ts";
import { renderPrompt, type PromptName } from "./prompt-library.ts";
import { isUuid } from "./session-id.ts";
import type { PlanningSession } from "./session-store.ts";

/** What {@link callPlanner} uses. */
export interface PlannerCallDeps {
  planner: PlannerBackend;
  conversations: Pick<ConversationLog, "read">;
  log: Logger;
  newId: () => string;
}

/** The planner's answer, and whether it came from a new planner session seeded from planbot's record. */
export interface PlannerCall {
  answer: Result<PlannerAnswer>;
  reseeded: boolean;
}

/**
 * Runs one planner turn for a session: resumes its planner session when one was started, or starts
 * one. When the stored planner session is gone (or its id is not a UUID), a new one is seeded with
 * planbot's record of the conversation, so a lost CLI transcript only costs a re-seeded session.
 */
export async function callPlanner(
  deps: PlannerCallDeps,
  session: PlanningSession,
  request: { prompt: PromptName; message: string; promptValues?: Record<string, string> | undefined },
  signal: AbortSignal,
): Promise<PlannerCall> {
  const values = { slug: session.slug, workspace: session.cwd ?? "", ...request.promptValues };
  const systemPrompt = renderPrompt(request.prompt, values);
  const cwd = session.cwd ?? process.cwd();
  const stored = isUuid(session.session_id) && session.session_started === true;
  if (stored || !session.session_started) {
    const sessionId = isUuid(session.session_id) ? session.session_id : deps.newId();
    const answer = await deps.planner.run({
      sessionId,
      resume: stored,
      systemPrompt,
      message: request.message,
      cwd,
      signal,
    });
    if (answer.ok || !stored || answer.details?.reason !== "no_conversation") return { answer, reseeded: false };
  }
  // The planner's session is gone (transcript deleted or moved, or the stored id is not a UUID):
  // a new session, seeded with planbot's record of the conversation, carries on.
  const history = await deps.conversations.read(session.planning_session_id);
  deps.log.warn(
    { slug: session.slug, entries: history.length },
    "planner session lost; seeding a new one from the conversation record",
  );
  const message = seedMessage({ history, phase: session.phase, workspace: cwd, next: request.message });
  const answer = await deps.planner.run({
    sessionId: deps.newId(),
    resume: false,
    systemPrompt,
    message,
    cwd,
    signal,
  });
  return { answer, reseeded: true };
}
