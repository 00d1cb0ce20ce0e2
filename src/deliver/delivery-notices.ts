import type { ChatTarget } from "../chat/incoming.ts";
import { bold, code, escapeMarkup, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { DeliveryField } from "../projects/schemas.ts";

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
}

/** The ledger with the field only delivery notices use (absent from a state written before they existed). */
type WithDeliveries<Item> = DeliveryNoticeLedger<Item> & { last_delivery?: Record<string, string> };

/** Queues a message for every record whose delivery has not been announced yet (all chats of the project). */
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
      const reply = deliveryReply(record);
      for (const target of targets) state.outbox.push(io.outboxItem(record, target, reply));
      io.log.info({ slug: record.slug, ok: record.delivery.ok, targets: targets.length }, "delivery notice queued");
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

/** What to do about a failed delivery, for a chat member or (`operator`) for planbot's operator. */
export function deliveryAdvice(delivery: Pick<DeliveryField, "hint" | "hint_operator">, operator: boolean): string {
  if (delivery.hint_operator && !operator) return ADMIN_DELIVERY_ADVICE;
  return delivery.hint ? escapeMarkup(delivery.hint) : "";
}

/**
 * The chat message of a record's last delivery: the pull request's link, or what failed and what to do. A
 * hint only the operator can act on reads as "tell planbot's admin" for chat members, and whole in the
 * operator's wording (`operatorText`, which the router sends to the terminal).
 */
export function deliveryReply(record: ProjectRecord): Reply {
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
  if (delivery.ok)
    return { text: `${bold(record.slug)}: ${escapeMarkup(delivery.summary)}.`, tone: "success", actions: [status] };
  const said = (operator: boolean) => {
    const advice = deliveryAdvice(delivery, operator);
    return `${bold(record.slug)} could not be fully delivered: ${escapeMarkup(delivery.summary)}${advice ? `\nWhat to do: ${advice}` : ""}`;
  };
  return {
    text: said(false),
    ...(delivery.hint_operator ? { operatorText: said(true) } : {}),
    tone: "error",
    actions: [status],
  };
}
