import type { Incoming } from "../chat/incoming.ts";
import { targetOf } from "../chat/incoming.ts";
import { bold, code, type Reply } from "../chat/reply.ts";
import { endedReasonWords } from "../planning/ended-reason.ts";
import type { EndedPlanning } from "../planning/planning-port.ts";
import type { BotServices } from "./command-context.ts";

/**
 * What plain text gets in a chat whose planning ended other than by approval (a `/cancel`, `/stop`, another
 * tool): why it did not reach the planner, and the way back. Undefined when the chat never planned, or its
 * plan was approved: the ordinary hint fits there.
 */
export async function endedPlanningReply(services: BotServices, incoming: Incoming): Promise<Reply | undefined> {
  // Only words for a hint: a session file that cannot be read leaves the ordinary hint.
  const ended = await services.planning?.endedIn(targetOf(incoming)).catch(() => undefined);
  return ended ? { text: endedText(ended) } : undefined;
}

function endedText({ slug, reason }: EndedPlanning): string {
  const why = endedReasonWords(reason);
  // The way back the reply that ended it named: /stop leaves the project pending, /cancel cancelled.
  const back =
    reason === "stopped"
      ? `${code(`/plan ${slug}`)} starts over`
      : reason.includes("cancelled")
        ? `${code(`/replan ${slug}`)} plans it again`
        : `${code(`/status ${slug}`)} shows where it stands`;
  return `Planning of ${bold(slug)} has ended (${why}), so this did not go to the planner. ${back}; ${code("/help")} lists the commands.`;
}
