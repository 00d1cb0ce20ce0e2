import { conversationKey, type ChatTarget } from "../chat/incoming.ts";

/**
 * `targets` in order, each conversation once, leaving out adapters that cannot deliver now (a terminal
 * chat is not reachable from `planbot start`): the notify chats and a project's planning chats often overlap.
 * Shared by the notifier and the progress messages.
 */
export function deliverableOnce(targets: ChatTarget[], canDeliverTo: (adapter: string) => boolean): ChatTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = conversationKey(target);
    if (seen.has(key) || !canDeliverTo(target.adapter)) return false;
    seen.add(key);
    return true;
  });
}
