import type { DeliveryField } from "../projects/schemas.ts";
import { type DeliverySetup, deliverAgainBlock, deliverAgainBlockWords } from "./deliver-again-offer.ts";
import { memberReading } from "./legacy-delivery.ts";

/** The statuses of a run that ended with work a delivery was for. */
const ENDED: ReadonlySet<string> = new Set(["complete", "failed", "blocked"]);

/**
 * The line a failed delivery's card, notice and dashboard add when `/deliver` cannot work with the settings
 * planbot runs with now: what must change first, for a member or the operator. Undefined when it can work,
 * when nothing is known of the settings (`setup` undefined), for a project that is no longer finished, or when the failure's own words already say it
 * (a push that failed for want of a remote; a worker's unpushed run whose member words point at a new run).
 */
export function deliverAgainNote(
  record: { slug: string; status: string; delivery: DeliveryField },
  setup: DeliverySetup | undefined,
  operator: boolean,
): string | undefined {
  const { delivery } = record;
  // A project planned or run again since: its old delivery is history, and nothing to deliver is left.
  if (delivery.ok || !setup || !ENDED.has(record.status)) return undefined;
  const block = deliverAgainBlock(record, setup);
  if (!block) return undefined;
  const split = memberReading(delivery).split;
  if (block === "no_remote" && split?.problem === "push_no_remote") return undefined;
  if (block === "on_worker" && split && !operator) return undefined;
  const reader = {
    slug: record.slug,
    status: record.status,
    worker: typeof delivery.worker === "string" ? delivery.worker : undefined,
    branch: delivery.branch,
  };
  return deliverAgainBlockWords(block, reader, operator);
}
