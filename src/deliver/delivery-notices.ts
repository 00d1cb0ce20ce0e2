import { type ChatTarget, conversationKey } from "../chat/incoming.ts";
import { bold, code, escapeMarkup, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { DeliveryField } from "../projects/schemas.ts";
import { deliverAgainNote } from "./deliver-again-note.ts";
import { deliveredWords } from "./delivered-words.ts";
import { type DeliverySetup, offersDeliverAgain, unpushedOnWorker } from "./deliver-again-offer.ts";
import { splitDeliveryWords } from "./delivery-words.ts";
import { memberReading } from "./legacy-delivery.ts";

/**
 * The part of the notifier's persisted state a delivery notice reads and writes — a port deliver owns, so
 * it does not import the notify layer above it (docs/architecture.md, "Layers"); notifications.json's
 * state fits it. `Item` is the notifier's outbox item, which deliver only builds through
 * {@link DeliveryNoticeIo.outboxItem} and appends.
 */
export interface DeliveryNoticeLedger<Item> {
  /** False until the notifier's first pass: deliveries seen then are recorded, not announced. */
  initialized: boolean;
  outbox: Item[];
}

/**
 * A delivery (push + pull request) is recorded after the run's status changed — the chats already heard
 * "complete" — so it is announced as its own message, once per delivery: the notifier keeps the `at`
 * of the last announced delivery per project in `last_delivery` of notifications.json, next to its
 * `last_status`, and queues the message in the same durable outbox.
 */
export interface DeliveryNoticeIo<Item, State extends DeliveryNoticeLedger<Item>> {
  file: LockedJsonFile<State>;
  records: readonly ProjectRecord[];
  targetsFor(record: ProjectRecord, audience: "everyone"): Promise<ChatTarget[]>;
  outboxItem(record: ProjectRecord, target: ChatTarget, reply: Reply): Item;
  log: Logger;
  /** The settings planbot delivers with now: a notice offers "Deliver again" only where it can work. */
  setup: DeliverySetup | undefined;
}

/** The ledger with the field only delivery notices use (absent from a state written before they existed). */
type WithDeliveries<Item> = DeliveryNoticeLedger<Item> & { last_delivery?: Record<string, string> };

/**
 * Queues a message for every record whose delivery has not been announced yet: all chats of the project but
 * the one whose `/deliver` it answered (`answered_in`), which read it in the reply.
 */
export async function enqueueDeliveryNotices<Item, State extends DeliveryNoticeLedger<Item>>(
  io: DeliveryNoticeIo<Item, State>,
): Promise<void> {
  const read = await io.file.read();
  const known = read.ok ? ((read.data as WithDeliveries<Item>).last_delivery ?? {}) : {};
  const fresh = io.records.filter(
    (record) => record.delivery && known[record.slug.toLowerCase()] !== record.delivery.at,
  );
  if (fresh.length === 0) return;
  const planned = await Promise.all(
    fresh.map(async (record) => ({ record, targets: await io.targetsFor(record, "everyone") })),
  );
  const result = await io.file.mutate<object>((raw) => {
    const state = raw as WithDeliveries<Item>;
    const announced = (state.last_delivery ??= {});
    for (const { record, targets } of planned) {
      const key = record.slug.toLowerCase();
      if (!record.delivery || announced[key] === record.delivery.at) continue;
      announced[key] = record.delivery.at;
      if (!state.initialized) continue;
      const reply = deliveryReply(record, io.setup);
      // The chat whose `/deliver` this was read the same words in its reply.
      const told = targets.filter((target) => conversationKey(target) !== record.delivery?.answered_in);
      for (const target of told) state.outbox.push(io.outboxItem(record, target, reply));
      io.log.info({ slug: record.slug, ok: record.delivery.ok, targets: told.length }, "delivery notice queued");
    }
    return { ok: true };
  });
  if (!result.ok) io.log.error({ code: result.code, message: result.message }, "could not record a delivery notice");
}

/**
 * What a chat member can do about a delivery whose hint names what only planbot's operator can change on
 * the server (`hint_operator`: GIT_REMOTE_BASE, GITHUB_OWNER, GITHUB_TOKEN, git credentials, planbot's log):
 * nothing but tell the admin. Operator surfaces — the terminal, the CLI — keep the hint itself.
 */
export const ADMIN_DELIVERY_ADVICE =
  "Please tell planbot's admin: only they can fix planbot's access to the repository or GitHub on the server.";

/** The part of a project's record the words of its failed delivery read. */
export type DeliveredRecord = Pick<ProjectRecord, "slug" | "status"> & { delivery: DeliveryField };

/**
 * What failed and what to do about a failed delivery, for a chat member or (`operator`) for planbot's
 * operator. The operator reads the summary (git's and GitHub's words) and the whole hint. A member reads a
 * failure split between them and the operator (delivery-split.ts; for one an older planbot stored, the split
 * its words show, legacy-delivery.ts) as the problem in plain words, their step with its command and "tell
 * planbot's admin" for the rest; a hint only the operator can act on as what failed in plain words and whom
 * to tell, since the summary then holds the server's words too. `summaryChars` shortens the summary for a
 * line of the `/status` card.
 */
export function failedDeliveryWords(
  record: DeliveredRecord,
  operator: boolean,
  summaryChars?: number,
): { what: string; advice: string } {
  const { delivery } = record;
  const what = escapeMarkup(summaryChars ? delivery.summary.slice(0, summaryChars) : delivery.summary);
  if (operator) return { what, advice: delivery.hint ? escapeMarkup(delivery.hint) : "" };
  const reading = memberReading(delivery);
  if (reading.split) {
    const words = splitDeliveryWords(reading.split, {
      slug: record.slug,
      status: record.status,
      branch: delivery.branch,
      unpushedOnWorker: unpushedOnWorker(delivery),
    });
    return { what: words.problem, advice: words.advice };
  }
  if (reading.hintOperator) return { what: plainFailure(delivery), advice: ADMIN_DELIVERY_ADVICE };
  // Not classified: the summary may be git's or GitHub's words (the server's remote, its paths), so a member
  // reads whether the branch got pushed, and the hint only when it stands without those words.
  const hint = delivery.hint && !/\babove\b/.test(delivery.hint) ? escapeMarkup(delivery.hint) : ADMIN_LOG_ADVICE;
  return { what: plainFailure(delivery), advice: hint };
}

/** What a member can do about a failure whose words are only in planbot's log: tell the admin. */
export const ADMIN_LOG_ADVICE = "Please tell planbot's admin: planbot's log says what went wrong.";

/** What failed, without git's or GitHub's words: whether the branch got to the remote. */
function plainFailure(delivery: DeliveryField): string {
  const branch = code(delivery.branch);
  return delivery.pushed
    ? `branch ${branch} is pushed, but planbot could not open its pull request`
    : `branch ${branch} was not pushed`;
}

/**
 * The chat message of a record's last delivery: the pull request's link, or what failed and what to do,
 * worded for a chat member ({@link failedDeliveryWords}), and whole in the operator's wording when that
 * differs (`operatorText`, which the router sends to the terminal). "Deliver again" is offered only where
 * `/deliver` can work with `setup`, the settings planbot runs with now; where it cannot, the message says
 * what must change first (deliver-again-offer.ts).
 */
export function deliveryReply(record: ProjectRecord, setup: DeliverySetup | undefined): Reply {
  const delivery = record.delivery!;
  const status = { label: "Status", command: `/status ${record.slug}`, style: "secondary" as const };
  const pr = record.pull_request && record.pull_request.updated_at === delivery.at ? record.pull_request : null;
  if (delivery.ok && pr) {
    return {
      text: `${bold(record.slug)}: branch ${code(delivery.branch)} pushed; draft pull request [#${pr.number}](${pr.url}) is ready for review.`,
      tone: "success",
      actions: [status],
    };
  }
  if (delivery.ok) {
    // The member reads the branch; the operator (the terminal) also reads where it went.
    const member = `${bold(record.slug)}: ${deliveredWords(delivery)}.`;
    const operator = `${bold(record.slug)}: ${escapeMarkup(delivery.summary)}.`;
    return { text: member, operatorText: operator, tone: "success", actions: [status] };
  }
  const said = (operator: boolean) => {
    const { what, advice } = failedDeliveryWords({ ...record, delivery }, operator);
    const note = deliverAgainNote({ ...record, delivery }, setup, operator);
    return `${bold(record.slug)} could not be fully delivered: ${what}${advice ? `\nWhat to do: ${advice}` : ""}${note ? `\n${note}` : ""}`;
  };
  const member = said(false);
  const operator = said(true);
  // Once the cause is fixed, the finished work is delivered again as it is, without running Ralph again — unless
  // it stayed on the worker that ran it: then a new run (of a new plan, for a complete project) is the way on.
  const again = offersDeliverAgain({ ...record, delivery }, setup)
    ? { label: "Deliver again", command: `/deliver ${record.slug}`, style: "primary" as const }
    : unpushedOnWorker(delivery)
      ? record.status === "complete"
        ? { label: "Re-plan", command: `/replan ${record.slug}`, style: "primary" as const }
        : { label: "Run again", command: `/run ${record.slug}`, style: "primary" as const }
      : undefined;
  return {
    text: member,
    ...(operator !== member ? { operatorText: operator } : {}),
    tone: "error",
    actions: again ? [again, status] : [status],
  };
}
