import type { Failure } from "../../projects/result.ts";
import type { DashboardHost } from "../contract.ts";
import type { ListSource } from "./list-source.ts";
import { sseFrame, type SseHub } from "./sse-hub.ts";

/**
 * The stream's frame for a store planbot cannot read, `{type: "error", error, message, file, stays_open}`:
 * the message names the file and what to do. The stream goes on after it (also one opened while the file
 * was broken): the list follows once the file is readable, so no drop is to be expected.
 */
export function storeErrorFrame(failure: Failure): string {
  return sseFrame(
    JSON.stringify({
      type: "error",
      error: failure.code,
      message: failure.message,
      file: failure.details?.path,
      stays_open: true,
    }),
  );
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
    if (hub.size() === 0) return;
    hub.broadcast(problem ? storeErrorFrame(problem) : sseFrame(source.serialise(runtime.watcher.current())));
  });
}
