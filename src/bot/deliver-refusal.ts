import { bold, errorReply, type Reply, type ReplyAction } from "../chat/reply.ts";
import { type DeliverAgainBlock, deliverAgainBlockWords } from "../deliver/deliver-again-offer.ts";
import type { Failure } from "../projects/result.ts";

const BLOCKS: ReadonlySet<string> = new Set<DeliverAgainBlock>(["push_off", "not_finished", "no_remote", "on_worker"]);

/**
 * `/deliver`'s answer when delivering again cannot work with planbot's settings now (`details.reason`, one of
 * deliver-again-offer.ts's blocks): a chat member reads why and whom to tell or what to run, never a setting's
 * name; the operator (the terminal) the setting to change. Undefined for any other failure.
 */
export function deliverRefusalReply(failure: Failure, operator: boolean): Reply | undefined {
  const details = failure.details ?? {};
  const reason = details.reason;
  const slug = details.slug;
  if (typeof reason !== "string" || !BLOCKS.has(reason) || typeof slug !== "string") return undefined;
  const block = reason as DeliverAgainBlock;
  // A run not finished at all is no matter of settings: the refusal's own words say so.
  if (block === "not_finished" && !["failed", "blocked"].includes(String(details.status))) return undefined;
  const reader = {
    slug,
    status: typeof details.status === "string" ? details.status : "",
    worker: typeof details.worker === "string" ? details.worker : undefined,
    branch: typeof details.branch === "string" ? details.branch : undefined,
  };
  return errorReply(`${bold(slug)}: ${deliverAgainBlockWords(block, reader, operator)}`, actionsFor(block, reader));
}

/** A way on where the member has one: a new run of work that stayed on a worker, or of an unfinished run. */
function actionsFor(block: DeliverAgainBlock, reader: { slug: string; status: string }): ReplyAction[] {
  const status: ReplyAction = { label: "Status", command: `/status ${reader.slug}`, style: "secondary" };
  if (block === "on_worker" && reader.status === "complete")
    return [{ label: "Re-plan", command: `/replan ${reader.slug}`, style: "primary" }, status];
  if (block === "on_worker" || block === "not_finished")
    return [{ label: "Run again", command: `/run ${reader.slug}`, style: "primary" }, status];
  return [status];
}
