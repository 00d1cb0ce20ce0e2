import { code, errorReply, type Reply } from "../chat/reply.ts";
import type { Failure } from "../projects/result.ts";

/**
 * Renders a typed failure for a chat: the message, plus a way forward where one exists. Lower layers
 * name the way forward neutrally (`details.next`); each surface words it — here as chat commands, in the
 * CLI as `planbot projects …` (src/cli/failure-hint.ts).
 */
export function failureReply(failure: Failure): Reply {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  if (failure.code === "already_committed" && slug) {
    return errorReply(`${failure.message}`, [
      { label: "Re-plan anyway", command: `/replan ${slug} --force`, style: "danger" },
    ]);
  }
  if (failure.details?.next === "list")
    return errorReply(`${failure.message} ${code("/status")} lists them.`, [
      { label: "Status", command: "/status", style: "secondary" },
    ]);
  return errorReply(failure.message);
}
