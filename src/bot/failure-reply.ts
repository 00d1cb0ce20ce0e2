import { code, errorReply, type Reply } from "../chat/reply.ts";
import type { Failure } from "../projects/result.ts";
import { operatorProblemOf } from "../projects/operator-fix.ts";
import { editHintOf } from "./edit-flag.ts";
import { operatorFailureReply, type Reader } from "./operator-failure-reply.ts";

/**
 * Renders a typed failure for a chat: the message, plus a way forward where one exists. Lower layers
 * name the way forward neutrally (`details.next`); each surface words it — here as chat commands, in the
 * CLI as `planbot projects …` (src/cli/failure-hint.ts). A problem only the operator can fix on the
 * server gets a chat's own words instead of the operator's advice, unless `reader` is the operator
 * (operator-failure-reply.ts).
 */
export function failureReply(failure: Failure, reader: Reader = {}): Reply {
  const operator = operatorProblemOf(failure);
  if (operator) return operatorFailureReply(failure, operator, reader);
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  if (failure.code === "already_committed" && slug) {
    return errorReply(`${failure.message}`, [
      { label: "Re-plan anyway", command: `/replan ${slug} --force`, style: "danger" },
    ]);
  }
  if (failure.details?.next === "approve" && slug)
    return errorReply(`${failure.message} Approve it first: ${code(`/approve ${slug}`)}.`, [
      { label: "Approve", command: `/approve ${slug}`, style: "primary" },
    ]);
  if (failure.details?.next === "replan" && slug)
    return errorReply(`${failure.message} To run it again, re-plan it: ${code(`/replan ${slug}`)}.`, [
      { label: "Re-plan", command: `/replan ${slug}`, style: "secondary" },
    ]);
  if (failure.details?.next === "done" && slug)
    return errorReply(`${failure.message} Finish the plan with ${code("/done")} in its chat, or approve it as it is.`, [
      { label: "Approve", command: `/approve ${slug}`, style: "primary" },
    ]);
  if (failure.details?.next === "edit" && slug) {
    const { field, flag } = editHintOf(failure);
    return errorReply(`${failure.message} To set the ${field}: ${code(`/edit ${slug} ${flag}`)}.`, [
      { label: "Status", command: `/status ${slug}`, style: "secondary" },
    ]);
  }
  if (failure.details?.next === "status" && slug)
    return errorReply(
      `${failure.message} ${code(`/status ${slug}`)} shows its progress; ${code(`/cancel ${slug}`)} stops it.`,
      [{ label: "Status", command: `/status ${slug}`, style: "secondary" }],
    );
  if (failure.details?.next === "list")
    return errorReply(`${failure.message} ${code("/status")} lists them.`, [
      { label: "Status", command: "/status", style: "secondary" },
    ]);
  return errorReply(failure.message);
}
