import type { DashboardHost } from "../contract.ts";
import { sseFrame, type SseHub } from "./sse-hub.ts";

/**
 * Pushes each run's progress to the page's stream as `{type: "progress", progress}` (the run tab shows it
 * live), only when something a person reads changed: a new activity time alone sends nothing.
 */
export function followRunProgress(runtime: Pick<DashboardHost, "live">, hub: SseHub): () => void {
  const last = new Map<string, string>();
  return (
    runtime.live?.hub.subscribe((progress) => {
      const { lastActivityAt: _activity, ...shown } = progress;
      const text = JSON.stringify(shown);
      const key = progress.slug.toLowerCase();
      if (last.get(key) === text) return;
      last.set(key, text);
      if (hub.size() > 0) hub.broadcast(sseFrame(JSON.stringify({ type: "progress", progress })));
    }) ?? (() => undefined)
  );
}
