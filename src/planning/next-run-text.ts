import { code } from "../chat/reply.ts";

/**
 * How an approved project gets to Ralph, in one sentence for chat. Only a configured daily run
 * (EXECUTE_AT) picks projects up by itself; without one, saying "at the next scheduled run" would leave
 * the project waiting for a run that never comes, so the sentence names `/run <slug>` instead.
 */
export function nextRunText(slug: string, executeAt: string | undefined): string {
  return executeAt
    ? `Ralph runs it at the next scheduled run (daily at ${executeAt}), or now with ${code(`/run ${slug}`)}.`
    : `No daily run is set up, so nothing starts it by itself: start Ralph with ${code(`/run ${slug}`)} (admins).`;
}
