import { bold, errorReply, type Reply, type ReplyAction } from "../chat/reply.ts";
import {
  type BlockReader,
  blockOfRefusal,
  type DeliverAgainBlock,
  deliverAgainBlockWords,
} from "../deliver/deliver-again-offer.ts";
import type { Failure } from "../projects/result.ts";

/**
 * `/deliver`'s answer when delivering again cannot work with planbot's settings now, or not from here (a
 * worker's unpushed run): a chat member reads why and whom to tell or what to run, never a setting's name;
 * the operator (the terminal) the setting to change. Undefined for any other failure.
 */
export function deliverRefusalReply(failure: Failure, operator: boolean): Reply | undefined {
  const found = blockOfRefusal(failure.details);
  if (!found) return undefined;
  const { block, reader } = found;
  return errorReply(
    `${bold(reader.slug)}: ${deliverAgainBlockWords(block, reader, operator)}`,
    actionsFor(block, reader),
  );
}

/** A way on where the member has one: a new run of work that stayed on a worker, or of a failed or blocked run. */
function actionsFor(block: DeliverAgainBlock, reader: BlockReader): ReplyAction[] {
  const status: ReplyAction = { label: "Status", command: `/status ${reader.slug}`, style: "secondary" };
  if (block === "on_worker" && reader.status === "complete")
    return [{ label: "Re-plan", command: `/replan ${reader.slug}`, style: "primary" }, status];
  if (block === "on_worker" || block === "not_finished")
    return [{ label: "Run again", command: `/run ${reader.slug}`, style: "primary" }, status];
  return [status];
}
