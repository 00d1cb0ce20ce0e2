import {
  bold,
  code,
  escapeMarkup,
  KEEP_TALKING_COMMAND,
  newChoiceId,
  type Reply,
  type ReplyAction,
} from "../chat/reply.ts";
import { surfaceName } from "../chat/surface-names.ts";
import { endedReasonWords } from "./ended-reason.ts";
import { COMPLETE_PHASE, PLANNING_PHASES } from "./prompt-library.ts";
import type { PlanningSession } from "./session-store.ts";

/** "phase 2/3: design" for a session. */
export function phaseLabel(phase: string): string {
  if (phase === COMPLETE_PHASE) return "plan written";
  const index = PLANNING_PHASES.indexOf(phase as (typeof PLANNING_PHASES)[number]);
  return index === -1 ? phase : `phase ${index + 1}/${PLANNING_PHASES.length}: ${phase}`;
}

/** The footer under a planner reply: what the user can do now. */
export function nextStepHint(session: PlanningSession, ready: boolean): string {
  if (session.phase === COMPLETE_PHASE) return `Plan written. ${code("/done")} approves it.`;
  if (ready)
    return session.phase === "stories"
      ? `Stories ready — ${code("/next")} writes the final plan, or keep refining.`
      : `Phase ready — ${code("/next")} moves on, or keep answering.`;
  return "";
}

/**
 * A planner answer as a reply, with the interrupted-turn notice and the next-step hint. `body` is the
 * answer's text, or both its wordings when the operator reads it differently (a written plan's folder).
 */
export function plannerReply(
  session: PlanningSession,
  body: string | Pick<Reply, "text" | "operatorText">,
  ready: boolean,
  options: { header?: string | undefined; interrupted?: { text: string } | undefined } = {},
): Reply {
  const parts: string[] = [];
  if (options.interrupted) {
    parts.push(
      `Note: your earlier message "${escapeMarkup(options.interrupted.text.slice(0, 120))}" was never answered (planbot restarted mid-turn); send it again if it still matters.`,
    );
  }
  if (options.header) parts.push(options.header);
  const hint = nextStepHint(session, ready);
  const around = (text: string) => [...parts, text, ...(hint ? [hint] : [])].join("\n\n");
  const worded = typeof body === "string" ? { text: body } : body;
  const said: Pick<Reply, "text" | "operatorText"> = {
    text: around(worded.text),
    ...(worded.operatorText ? { operatorText: around(worded.operatorText) } : {}),
  };
  const actions: ReplyAction[] =
    ready && session.phase !== COMPLETE_PHASE
      ? [{ label: session.phase === "stories" ? "Write the plan" : "Next phase", command: "/next", style: "primary" }]
      : [];
  if (session.phase === COMPLETE_PHASE) actions.push({ label: "Approve (/done)", command: "/done", style: "success" });
  if (!actions.length) return { ...said, tone: "planner" };
  // A waiting moment: one choice, spent by the first press in any chat of the session (mirrors share the id).
  actions.push({ label: "Keep talking", command: KEEP_TALKING_COMMAND, style: "secondary" });
  return { ...said, tone: "planner", actions, choice: newChoiceId() };
}

/** The header of a reply mirrored to the other chats of a session: who said what, on which surface (its human name). */
export function mirrorHeader(userName: string, adapter: string, text: string | undefined): string {
  const said = text ? `: ${escapeMarkup(text.length > 300 ? `${text.slice(0, 300)}…` : text)}` : "";
  return `${bold(userName)} (${surfaceName(adapter)})${said}`;
}

/** A one-paragraph summary of a session for `/status slug`. */
export function describeSession(session: PlanningSession): string {
  const chats = [session.adapter, ...(session.bound_chats ?? []).map((chat) => chat.adapter)];
  const state = session.closed_at
    ? `planning ended (${session.closed_reason ? endedReasonWords(session.closed_reason) : "closed"})`
    : `planning ${phaseLabel(session.phase)}${session.phase_ready ? ", ready for /next" : ""}`;
  const cost = session.cost_usd ? ` · $${session.cost_usd.toFixed(2)}` : "";
  const turns = session.turns ?? 0;
  return `${state} · ${turns} ${turns === 1 ? "turn" : "turns"}${cost} · chats: ${[...new Set(chats.map(surfaceName))].join(", ")}`;
}
