import { deliverAgainNote } from "../../deliver/deliver-again-note.ts";
import { type DeliverySetup, offersDeliverAgain } from "../../deliver/deliver-again-offer.ts";
import { deliveredWords } from "../../deliver/delivered-words.ts";
import { failedDeliveryWords } from "../../deliver/delivery-notices.ts";
import { memberReading } from "../../deliver/legacy-delivery.ts";
import { operatorAdvice, operatorProblemLine, operatorRefusalWords } from "../../notify/operator-words.ts";
import { editStep } from "../../projects/error-fix.ts";
import type { ProjectList, ProjectRecord } from "../../projects/project-list.ts";

/**
 * A record as the dashboard serves it: with a problem only planbot's operator can fix in a member's words —
 * `error_member` for a run error (`error_operator`), `run_refusal.member` `{problem, advice}` for a refusal
 * the operator must lift — in planbot's reply markup.
 */
export type MemberRecord = ProjectRecord & { error_member?: string };

/**
 * The project list as the dashboard serves it. The dashboard is not the server's operator, like a chat
 * (docs/architecture.md, "Who may do what, and who is spoken to"), and words what only planbot's operator
 * can fix as the `/status` card and the notices do, without the operator's text (server paths, settings,
 * credentials), which the operator reads in `planbot projects show --json` and the terminal:
 * - a successful delivery's `summary` is the chats' words (the branch pushed), not git's with the remote;
 * - a failed delivery carries `deliver_again` (whether `/deliver` can work with `setup`, the settings planbot
 *   runs with now: deliver-again-offer.ts) and `again_note` (what must change first, where it cannot);
 * - a failed delivery carries `what` and `advice`, the chats' words (`failedDeliveryWords`), and `what` is its
 *   `summary` too (the stored one holds git's words, with the server's paths): a failure split between
 *   the member and the operator reads as the problem in plain words and the member's step; an operator's hint
 *   (`hint_operator`, a hint an older planbot stored naming the server's settings, or the hint of a fix with an
 *   operator's part) is not served (`hint: null`);
 * - a run error only the operator can fix (`error_operator`) is served as `error_member`, `error_reason` empty;
 * - a refusal only (or partly) the operator can lift carries `member`, and its `message` (the operator's fix) is empty.
 * A list without any of these is served as it is, and the other records keep their object.
 */
export function memberList(
  list: ProjectList,
  setup: DeliverySetup | undefined,
): ProjectList & { projects: MemberRecord[] } {
  if (!list.projects.some(needsWords)) return list;
  return {
    ...list,
    projects: list.projects.map((record) => (needsWords(record) ? memberRecord(record, setup) : record)),
  };
}

function needsWords(record: ProjectRecord): boolean {
  return Boolean(record.delivery || record.error_operator || record.run_refusal);
}

function memberRecord(record: ProjectRecord, setup: DeliverySetup | undefined): MemberRecord {
  const served: MemberRecord = { ...record };
  const delivery = record.delivery;
  if (delivery && !delivery.ok) {
    const words = failedDeliveryWords({ slug: record.slug, status: record.status, delivery }, false);
    const reading = memberReading(delivery);
    served.delivery = {
      ...delivery,
      // git's and GitHub's own words name the server's remote and paths: the summary is the chats' line too.
      summary: words.what,
      // A hint that names the server's settings, or the operator's half of a split fix, is the operator's.
      hint: reading.hintOperator || reading.split?.operator ? null : (delivery.hint ?? null),
      what: words.what,
      advice: words.advice || null,
      // The Run tab's "Deliver again" only where it can work now; else what must change first.
      deliver_again: offersDeliverAgain(record, setup),
      again_note: deliverAgainNote({ ...record, delivery }, setup, false) ?? null,
    };
  }
  // git's summary of a push names the server's remote: the page shows the branch, as the chats do.
  if (delivery?.ok) {
    const words = deliveredWords(delivery);
    served.delivery = { ...delivery, summary: words, what: words };
  }
  if (record.error_operator && record.error_reason) {
    const step = editStep(record.error_fix);
    served.error_member = `${operatorProblemLine(record.error_operator, record.slug)} ${operatorAdvice(record.error_operator, record.slug, step)}`;
    served.error_reason = "";
  }
  const refusal = record.run_refusal;
  const words = refusal && operatorRefusalWords(refusal, record.slug);
  if (refusal && words) served.run_refusal = { ...refusal, message: "", member: words };
  return served;
}
