import type { DashboardHost } from "../contract.ts";
import { sseFrame, type SseHub } from "./sse-hub.ts";

/**
 * Pushes every planner turn's start and end to the page's stream as `{type: "turn", slug, state}`, whichever
 * chat asked (Telegram, Discord, the terminal, another tab): an open conversation reads itself again then, so
 * the member's message and the "thinking" line show while the planner works, without the page polling.
 */
export function followPlannerTurns(runtime: Pick<DashboardHost, "planning">, hub: SseHub): () => void {
  return runtime.planning.onTurn((event) => {
    if (hub.size() > 0) hub.broadcast(sseFrame(JSON.stringify({ type: "turn", slug: event.slug, state: event.state })));
  });
}
