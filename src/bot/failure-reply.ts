import type { Failure } from "../projects/result.ts";
import { errorReply, type Reply } from "../chat/reply.ts";

/** Renders a typed failure for a chat: the message, plus a way forward where one exists. */
export function failureReply(failure: Failure): Reply {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : undefined;
  if (failure.code === "already_committed" && slug) {
    return errorReply(`${failure.message}`, [{ label: "Re-plan anyway", command: `/replan ${slug} --force`, style: "danger" }]);
  }
  return errorReply(failure.message);
}
