import type { Result } from "../projects/result.ts";
import type { BotServices } from "./command-context.ts";

/** Statuses a run ends in that `/run` may try again (the run report's *Retry*). */
const RETRYABLE = new Set(["failed", "blocked"]);

/**
 * Makes `/run` on a project whose last run failed or is blocked a retry: the project is approved again
 * first (the executor runs only approved projects), as the dashboard's Retry does. Any other status is
 * left to `/run`'s own answer (pending, cancelled, running…). `retried` says whether it re-approved.
 */
export async function approveEndedRun(services: BotServices, slug: string): Promise<Result<{ retried: boolean }>> {
  const found = await services.lister.get(slug);
  if (!found.ok) return found;
  if (!found.record || !RETRYABLE.has(found.record.status)) return { ok: true, retried: false };
  const approved = await services.lifecycle.approve(slug);
  return approved.ok ? { ok: true, retried: true } : approved;
}
