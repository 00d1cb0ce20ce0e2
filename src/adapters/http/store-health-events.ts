import { basename } from "node:path";
import type { Failure } from "../../projects/result.ts";
import type { DashboardHost } from "../contract.ts";
import type { ListSource } from "./list-source.ts";
import { sseFrame, type SseHub } from "./sse-hub.ts";
import { storeBannerWords } from "./store-banner-words.ts";

/**
 * The stream's frame for a store planbot cannot read, `{type: "error", error, message, file, operator,
 * stays_open}`: the message says in a member's words what is wrong and what to do (store-banner-words.ts),
 * `file` is the file's name, as a refused action's answer names it (member-failure.ts), so the page can tell
 * that failure is this one. The stream goes on after it (also one opened while the file was broken): the list
 * follows once the file is readable, so no drop is to be expected.
 */
export function storeErrorFrame(failure: Failure): string {
  const path = failure.details?.path;
  return sseFrame(
    JSON.stringify({
      type: "error",
      error: failure.code,
      message: storeBannerWords(failure),
      file: typeof path === "string" ? basename(path) : undefined,
      operator: failure.details?.operator,
      stays_open: true,
    }),
  );
}

/** The frame for the store's health as the watcher told it: its error, or the watcher's current list. */
function healthFrame(
  runtime: Pick<DashboardHost, "watcher">,
  source: Pick<ListSource, "serialise">,
  problem: Failure | undefined,
): string {
  return problem ? storeErrorFrame(problem) : sseFrame(source.serialise(runtime.watcher.current()));
}

/**
 * The first frame of a stream that opens now: what the live channel last said — the error the watcher told,
 * or its current list — or undefined while the watcher is not running (no live channel; the caller reads
 * the store). The stream must join the hub in the same turn of the event loop (no await in between): a
 * word the watcher tells before is in this frame, one it tells after is broadcast to the new stream too,
 * so the page's first state and the live frames cannot cross. A first frame from a read of its own could
 * show a file broken and fixed again before the watcher looked, which the watcher never calls news: the
 * page would keep the error until some project changed. The cost: a page connecting within the watcher's
 * debounce after a break first shows the last list, and the error a few milliseconds later.
 */
export function liveFirstFrame(
  runtime: Pick<DashboardHost, "watcher">,
  source: Pick<ListSource, "serialise">,
): string | undefined {
  if (runtime.watcher.current().sequence === 0) return undefined;
  return healthFrame(runtime, source, runtime.watcher.storeHealth.problem());
}

/**
 * Tells open streams at once when the store becomes unreadable, and sends them the current list once it is
 * readable again (which clears the page's message even when the fixed file lists what it did before). The
 * watcher tells "readable again" after publishing what the fixed file changed, so that list is current.
 */
export function followStoreHealth(
  runtime: Pick<DashboardHost, "watcher">,
  hub: SseHub,
  source: Pick<ListSource, "serialise">,
): () => void {
  return runtime.watcher.storeHealth.subscribe((problem) => {
    if (hub.size() > 0) hub.broadcast(healthFrame(runtime, source, problem));
  });
}
