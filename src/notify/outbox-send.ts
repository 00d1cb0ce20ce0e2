import type { Logger } from "../log.ts";
import { conversationKey, type ChatTarget } from "../chat/incoming.ts";
import { deliveredParts, type Outbound } from "../chat/outbound.ts";
import type { Reply } from "../chat/reply.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { NotificationState } from "./notification-state.ts";

/** A message that the platform refuses for good is dropped after this many attempts. */
const PERMANENT_GIVE_UP = 3;

/** What one sending pass over the outbox needs. */
export interface OutboxSendDeps {
  file: LockedJsonFile<NotificationState>;
  outbound: Outbound;
  log: Logger;
  now: () => Date;
  /** First retry delay; doubles per attempt up to `maxBackoffMs` (a platform's retry-after wins). */
  backoffMs: number;
  maxBackoffMs: number;
  /** True once the notifier stops: the pass ends before its next message. */
  stopped: () => boolean;
}

/**
 * Sends every outbox message that is due, oldest first, and takes it out of the outbox once the platform
 * accepted it; a failed one is retried later with backoff (dropped after a few permanent refusals).
 * Messages to one chat keep their order.
 */
export async function sendDueNotifications(deps: OutboxSendDeps): Promise<void> {
  const { file, now } = deps;
  const read = await file.read();
  if (!read.ok) {
    deps.log.error({ message: read.message }, "notification state unreadable");
    return;
  }
  const current = now().getTime();
  // Oldest first; equal timestamps keep their outbox order (stable sort, consistent comparator).
  const queued = [...read.data.outbox].sort((a, b) =>
    a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0,
  );
  // Messages to one chat keep their order: while an earlier one waits for its retry (or failed in this
  // pass), later ones for that chat wait behind it.
  const held = new Set<string>();
  for (const item of queued) {
    if (deps.stopped()) return;
    const target: ChatTarget = {
      adapter: item.target.adapter,
      channelId: item.target.channel_id,
      ...(item.target.thread_id ? { threadId: item.target.thread_id } : {}),
    };
    const key = conversationKey(target);
    if (held.has(key)) continue;
    if (Date.parse(item.next_attempt_at) > current) {
      held.add(key);
      continue;
    }
    // A retry of a reply that got part-way sends only the parts that did not arrive.
    const resume = item.delivered_parts ? { deliveredParts: item.delivered_parts } : undefined;
    const sent = await deps.outbound.send(target, item.reply as Reply, resume);
    if (sent.ok) {
      await file.mutate<object>((state) => {
        state.outbox = state.outbox.filter((queued) => queued.id !== item.id);
        return { ok: true };
      });
      deps.log.info(
        { slug: item.slug, adapter: target.adapter, status: item.status, attempts: item.attempts + 1 },
        "notification delivered",
      );
      continue;
    }
    held.add(key);
    const permanent = sent.details?.permanent === true;
    const retryAfter = typeof sent.details?.retryAfterMs === "number" ? sent.details.retryAfterMs : undefined;
    const delay = retryAfter ?? Math.min(deps.maxBackoffMs, deps.backoffMs * 2 ** item.attempts);
    await file.mutate<object>((state) => {
      const queued = state.outbox.find((candidate) => candidate.id === item.id);
      if (!queued) return { ok: true };
      queued.attempts += 1;
      queued.last_error = sent.message.slice(0, 300);
      const delivered = Math.max(queued.delivered_parts ?? 0, deliveredParts(sent));
      if (delivered > 0) queued.delivered_parts = delivered;
      if (permanent && queued.attempts >= PERMANENT_GIVE_UP) {
        state.outbox = state.outbox.filter((candidate) => candidate.id !== item.id);
      } else {
        queued.next_attempt_at = new Date(now().getTime() + delay).toISOString();
      }
      return { ok: true };
    });
    const level = permanent && item.attempts + 1 >= PERMANENT_GIVE_UP ? "error" : "warn";
    deps.log[level](
      {
        slug: item.slug,
        adapter: target.adapter,
        code: sent.code,
        attempts: item.attempts + 1,
        retryInMs: delay,
        message: sent.message,
      },
      level === "error" ? "notification dropped" : "notification send failed",
    );
  }
}
