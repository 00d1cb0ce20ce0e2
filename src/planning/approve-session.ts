import { bold, type Reply } from "../chat/reply.ts";
import { fail, type Result } from "../projects/result.ts";
import { approvePlanned } from "./approve-plan.ts";
import { finalPlanParts, planOf } from "./final-plan-delivery.ts";
import { nextRunText } from "./next-run-text.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { PlanningRequest } from "./planning-port.ts";
import { COMPLETE_PHASE } from "./prompt-library.ts";
import { planWrittenText } from "./session-finalizer.ts";
import { sessionAt } from "./session-store.ts";

/** What {@link approveSession} uses of the planning service. */
export type ApproveParts = Pick<
  PlanningParts,
  "sessions" | "lifecycle" | "directory" | "finalizer" | "clock" | "workspaceDir" | "executeAt"
>;

/**
 * `/done`: writes the final plan if it is not written yet, approves the project with it and closes the
 * session. The reply carries the plan as a document with Run now · Re-plan · Cancel.
 */
export async function approveSession(parts: ApproveParts, request: PlanningRequest): Promise<Result<{ reply: Reply }>> {
  const now = () => parts.clock.now().toISOString();
  return parts.directory.inArrivalOrder(request.incoming, async (found): Promise<Result<{ reply: Reply }>> => {
    let session = await sessionAt(parts.sessions, found.key);
    if (!session || session.closed_at) return fail("no_active_session", "This planning session has ended.");
    // A plan written by this /done is said first, in both wordings (the terminal reads its absolute folder).
    let written: { text: string; operatorText?: string } = { text: "" };
    if (session.phase !== COMPLETE_PHASE || !session.final_plan_path) {
      const finished = await parts.finalizer.finalize(found.key, session, request);
      if (!finished.ok) return finished;
      session = finished.session;
      written = planWrittenText(finished.written, session.slug);
    }
    const approved = await approvePlanned(
      parts.lifecycle,
      session.slug,
      session.planning_session_id,
      session.final_plan_path!,
      now,
    );
    if (!approved.ok) return approved;
    const closed = await parts.directory.close(found.key, "approved");
    const approvedText = `Approved ${bold(session.slug)} with its plan. ${nextRunText(session.slug, parts.executeAt)} This chat will hear how it ends.`;
    const after = (first: string) => (first ? `${first}\n\n${approvedText}` : approvedText);
    const reply: Reply = {
      text: after(written.text),
      ...(written.operatorText ? { operatorText: after(written.operatorText) } : {}),
      tone: "success",
      actions: [
        { label: "Run now", command: `/run ${session.slug}`, style: "primary" },
        { label: "Status", command: `/status ${session.slug}`, style: "secondary" },
      ],
    };
    // The final plan: a document, its summary, and Run now · Re-plan · Cancel (src/planning/final-plan-delivery.ts).
    Object.assign(reply, await finalPlanParts(reply, planOf(session, parts.workspaceDir)));
    if (closed.ok) await parts.directory.relay(closed.session, request.incoming, reply, "/done");
    return { ok: true, reply };
  });
}
