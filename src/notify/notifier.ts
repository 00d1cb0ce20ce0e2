import type { Logger } from "../log.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { Clock } from "../projects/clock.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { ChatTarget } from "../chat/incoming.ts";
import type { Outbound } from "../chat/outbound.ts";
import type { Reply } from "../chat/reply.ts";
import type { DeliverySetup } from "../deliver/deliver-again-offer.ts";
import { enqueueDeliveryNotices } from "../deliver/delivery-notices.ts";
import { deliverableOnce } from "./deliverable-targets.ts";
import { newOutboxItem } from "./outbox-item.ts";
import { sendDueNotifications } from "./outbox-send.ts";
import { enqueueStatusTransitions } from "./status-transitions.ts";
import { enqueueRefusalNotices } from "./refusal-notices.ts";
import { createNotificationStateFile, type NotificationState, type OutboxItem } from "./notification-state.ts";

/** Dependencies of {@link createNotifier}. */
export interface NotifierDeps {
  watcher: ChangeWatcher;
  outbound: Outbound;
  /** The chats that planned a project: they hear how its run ended. */
  chatsForProject: (slug: string) => Promise<ChatTarget[]>;
  /** Adapters that can deliver right now (a terminal chat is not reachable from `planbot start`). */
  canDeliverTo: (adapter: string) => boolean;
  notifyTargets: ChatTarget[];
  /**
   * The settings planbot delivers with now (PUSH_ON, GIT_REMOTE_BASE): a delivery notice offers "Deliver
   * again" only where `/deliver` can work. Absent: planbot cannot deliver again, and no notice offers it.
   */
  deliverySetup?: DeliverySetup | undefined;
  /** EXECUTE_AT, when set: the approved notice promises a scheduled run only then. */
  executeAt?: string | undefined;
  clock: Clock;
  log: Logger;
  dataDir: string;
  workspaceDir: string;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** Announces status transitions in chats, durably. */
export interface Notifier {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends whatever is due now; resolves when this pass is done. */
  flush(): Promise<void>;
}

/**
 * Creates the {@link Notifier}. A transition is written to the outbox (with the new last-notified
 * status) before anything is sent, and a message leaves the outbox only once the platform accepted
 * it: a crash before sending re-sends after restart, a crash after does not. Transitions that
 * happened while planbot was down are found at start by comparing with the persisted statuses. On the
 * very first start the current statuses are recorded without announcing them, so nobody gets a flood.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const file = createNotificationStateFile(deps.dataDir);
  const backoff = deps.backoffMs ?? 1000;
  const maxBackoff = deps.maxBackoffMs ?? 60_000;
  let chain: Promise<unknown> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let flushAgain = false;
  let stopped = false;
  const now = () => deps.clock.now();

  /** Serialises state changes so concurrent transitions never interleave. */
  function serial<T>(job: () => Promise<T>): Promise<T> {
    const run = chain.then(job, job);
    chain = run.catch(() => undefined);
    return run;
  }

  async function targetsFor(record: ProjectRecord, audience: "channels" | "everyone"): Promise<ChatTarget[]> {
    const targets = [...deps.notifyTargets];
    if (audience === "everyone") targets.push(...(await deps.chatsForProject(record.slug)));
    return deliverableOnce(targets, deps.canDeliverTo);
  }

  /** Compares records with the last announced statuses and queues messages for the differences. */
  async function enqueueTransitions(records: ProjectRecord[], removed: string[] = []): Promise<void> {
    await enqueueStatusTransitions(
      {
        file,
        workspaceDir: deps.workspaceDir,
        executeAt: deps.executeAt,
        now,
        log: deps.log,
        targetsFor,
        outboxItem,
      },
      records,
      removed,
    );
    // After the status messages, so "complete" comes before its pull request's link.
    await enqueueDeliveryNotices({ file, records, targetsFor, outboxItem, log: deps.log, setup: deps.deliverySetup });
    await enqueueRefusalNotices({ file, records, targetsFor, outboxItem, log: deps.log });
  }

  const outboxItem = (record: ProjectRecord, target: ChatTarget, reply: Reply): OutboxItem =>
    newOutboxItem(record, target, reply, now());

  function scheduleNext(state: NotificationState | undefined): void {
    if (stopped || !state || state.outbox.length === 0) return;
    const next = Math.min(...state.outbox.map((item) => Date.parse(item.next_attempt_at)));
    const wait = Math.max(10, next - now().getTime());
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void notifier.flush();
    }, wait);
    timer.unref();
  }

  const notifier: Notifier = {
    async start() {
      const read = await file.read();
      // As while running: the file is kept, said once, and planbot runs on without replaying the outbox.
      if (!read.ok)
        deps.log.error({ code: read.code, file: read.details?.path }, `notifications are off: ${read.message}`);
      // Subscribe before the snapshot: a change published while it is recorded queues behind it (serial)
      // and is compared with the persisted statuses, so it is neither lost nor announced twice.
      unsubscribe = deps.watcher.subscribe((change) => {
        const changed = change.changed.flatMap((item) => (item.after ? [item.after] : []));
        const removed = change.changed.flatMap((item) => (item.after ? [] : [item.slug]));
        void serial(() => enqueueTransitions(changed, removed)).then(() => notifier.flush());
      });
      if (!read.ok) return;
      if (!read.data.initialized) {
        await serial(() =>
          file.mutate<object>((state) => {
            state.initialized = true;
            for (const record of deps.watcher.current().list.projects)
              state.last_status[record.slug.toLowerCase()] = record.status;
            return { ok: true };
          }),
        );
      } else {
        await serial(() => enqueueTransitions(deps.watcher.current().list.projects));
      }
      await notifier.flush();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await chain.catch(() => undefined);
      await flushing?.catch(() => undefined);
    },
    flush() {
      if (flushing) {
        flushAgain = true;
        return flushing;
      }
      flushing = (async () => {
        do {
          flushAgain = false;
          await sendDueNotifications({
            file,
            outbound: deps.outbound,
            log: deps.log,
            now,
            backoffMs: backoff,
            maxBackoffMs: maxBackoff,
            stopped: () => stopped,
          });
        } while (flushAgain && !stopped);
        const read = await file.read();
        scheduleNext(read.ok ? read.data : undefined);
      })()
        .catch((error) => deps.log.error({ err: error }, "notification flush failed"))
        .finally(() => {
          flushing = undefined;
        });
      return flushing;
    },
  };
  return notifier;
}
