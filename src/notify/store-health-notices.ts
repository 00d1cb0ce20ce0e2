import type { ChatTarget } from "../chat/incoming.ts";
import type { Outbound } from "../chat/outbound.ts";
import type { Reply } from "../chat/reply.ts";
import type { Failure } from "../projects/result.ts";
import type { StoreHealth } from "../projects/store-health.ts";

/**
 * What a terminal is told when the project store cannot be read, and when it can again. A terminal is the
 * server's operator (docs/architecture.md, "Who may do what, and who is spoken to"), so the message is the
 * operator's own, with the file's path and what to do: with planbot's log in a file or in another terminal,
 * this is how the one person who can fix it hears of it.
 */
export function storeHealthNotice(problem: Failure | undefined): Reply {
  return {
    text: problem
      ? `planbot cannot read its project store, so no project can change until it is fixed: ${problem.message}`
      : "planbot can read its project store again.",
  };
}

/**
 * Tells `target` (a standalone `planbot chat`'s own terminal) of the store's health through `outbound`. A
 * store already broken is told at once; the subscription is made in the same turn, so no later word is missed
 * or told twice. Returns the unsubscribe.
 */
export function tellStoreHealth(health: StoreHealth, outbound: Outbound, target: ChatTarget): () => void {
  const tell = (problem: Failure | undefined) => void outbound.send(target, storeHealthNotice(problem));
  const current = health.problem();
  if (current) tell(current);
  return health.subscribe(tell);
}
