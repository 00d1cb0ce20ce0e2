import type { Logger } from "../log.ts";
import { type ChatTarget, conversationKey } from "./incoming.ts";
import { deliveredParts, type Outbound } from "./outbound.ts";
import type { Reply } from "./reply.ts";
import { DEFAULT_SEND_RETRY, decideRetry, type SendRetryPolicy } from "./send-retry-policy.ts";

/** Where a message stands when {@link ReliableSender.send} resolves. */
export type DeliveryState = "delivered" | "retrying" | "dropped";

/** What a message is about, for the log lines of its retries (house rule: slug and adapter on every line). */
export interface DeliveryLabel {
  slug: string;
  /** What kind of message it is, e.g. `mirrored reply`, `stall notice`. */
  kind: string;
}

/**
 * Sends replies to chats nobody is talking in right now (mirrored planner replies, stall notices) and
 * rides out transient failures: a rate limit is waited out as the platform asks, a 5xx or a network
 * error is retried after a growing backoff, and a reply that got part-way resumes after its delivered
 * parts, so no part is sent twice. Messages to one chat go out strictly in the order they were handed
 * in: a later one waits behind an earlier one that is still retrying. A permanent refusal (chat gone,
 * bot removed, a part too long) is logged once and dropped. Retries live in memory only (README,
 * "Chat delivery"): `stop()` drops what is still pending, with a log line per message.
 */
export interface ReliableSender {
  /**
   * Queues `reply` for `target` behind the messages already queued for that chat. Resolves once the
   * message's first attempt is over (`delivered`, `dropped`, or `retrying` in the background), or at
   * once with `retrying` when it must wait behind a retry: a caller never waits out a backoff.
   */
  send(target: ChatTarget, reply: Reply, label: DeliveryLabel): Promise<DeliveryState>;
  /** Messages queued or being retried, across all chats. */
  pending(): number;
  /** Resolves when every queued message is delivered or dropped (tests). */
  idle(): Promise<void>;
  /**
   * Stops retrying: sends in flight get at most `graceMs` to finish, then every message still queued is
   * dropped with a log line. Later `send`s are tried once and never retried.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Dependencies of {@link createReliableSender}. */
export interface ReliableSenderDeps {
  outbound: Outbound;
  log: Logger;
  /** Backoff and attempts (default {@link DEFAULT_SEND_RETRY}); tests pass small backoffs. */
  retry?: Partial<SendRetryPolicy> | undefined;
  /** Messages one chat may have waiting; a chat down for long drops new ones beyond it (default 100). */
  maxQueuedPerChat?: number | undefined;
}

/** One message on its way to one chat. */
interface Queued {
  target: ChatTarget;
  reply: Reply;
  label: DeliveryLabel;
  attempts: number;
  /** Parts of the reply that reached the chat in earlier attempts (never sent again). */
  delivered: number;
  /** Settles the caller's promise; later calls do nothing. */
  answer: (state: DeliveryState) => void;
}

/** The messages of one chat, sent one at a time in order. */
interface Lane {
  key: string;
  items: Queued[];
  /** Set while the lane waits out a retry delay; calling it ends the wait early (stop). */
  wake: (() => void) | undefined;
  run: Promise<void>;
}

/** How long `stop()` lets sends in flight finish by default: shutdown must not hang on a slow platform. */
const DEFAULT_STOP_GRACE_MS = 1500;
/** Bounds the memory a chat that stays unreachable can take: each waiting message holds a whole reply. */
const DEFAULT_MAX_QUEUED_PER_CHAT = 100;

/** Creates a {@link ReliableSender} over an {@link Outbound} (usually the adapters' router). */
export function createReliableSender(deps: ReliableSenderDeps): ReliableSender {
  const policy: SendRetryPolicy = { ...DEFAULT_SEND_RETRY, ...deps.retry };
  const maxQueued = deps.maxQueuedPerChat ?? DEFAULT_MAX_QUEUED_PER_CHAT;
  const lanes = new Map<string, Lane>();
  let stopped = false;

  function fieldsOf(item: Queued): Record<string, unknown> {
    return {
      slug: item.label.slug,
      adapter: item.target.adapter,
      channel: item.target.channelId,
      ...(item.target.threadId ? { thread: item.target.threadId } : {}),
      kind: item.label.kind,
    };
  }

  /** One attempt: `delivered`, `dropped`, or how long to wait before the next one. */
  async function attempt(item: Queued): Promise<"delivered" | "dropped" | { waitMs: number }> {
    const resume = item.delivered > 0 ? { deliveredParts: item.delivered } : undefined;
    const sent = await deps.outbound.send(item.target, item.reply, resume);
    item.attempts += 1;
    if (sent.ok) {
      if (item.attempts > 1) deps.log.info({ ...fieldsOf(item), attempts: item.attempts }, "delivered after retrying");
      return "delivered";
    }
    item.delivered = Math.max(item.delivered, deliveredParts(sent));
    const decision = decideRetry(sent, item.attempts, policy);
    const fields = {
      ...fieldsOf(item),
      code: sent.code,
      attempts: item.attempts,
      deliveredParts: item.delivered,
      message: sent.message,
    };
    if (decision.retry) {
      deps.log.warn({ ...fields, retryInMs: decision.waitMs }, "chat delivery failed; retrying");
      return { waitMs: decision.waitMs };
    }
    deps.log.error(
      fields,
      decision.permanent
        ? "chat delivery refused for good; not retried"
        : `chat delivery dropped after ${item.attempts} attempts`,
    );
    return "dropped";
  }

  function pause(lane: Lane, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        lane.wake = undefined;
        resolve();
      };
      // A pending retry never keeps a process alive by itself; `planbot start` stays up on its own.
      const timer = setTimeout(done, ms);
      timer.unref();
      lane.wake = done;
    });
  }

  async function drain(lane: Lane): Promise<void> {
    while (lane.items.length > 0 && !stopped) {
      const item = lane.items[0]!;
      const outcome = await attempt(item);
      if (typeof outcome === "string") {
        lane.items.shift();
        item.answer(outcome);
        continue;
      }
      // Everything queued for this chat now waits behind this retry; its callers need not.
      for (const waiting of lane.items) waiting.answer("retrying");
      // Stopping meanwhile: no wait, stop() drops what is left.
      if (stopped) break;
      await pause(lane, outcome.waitMs);
    }
    // No await between the loop's last check and here: a message queued meanwhile cannot be stranded.
    if (lane.items.length === 0 && lanes.get(lane.key) === lane) lanes.delete(lane.key);
  }

  /** After stop: one attempt, no retry, nothing queued. */
  async function sendOnce(target: ChatTarget, reply: Reply, label: DeliveryLabel): Promise<DeliveryState> {
    const sent = await deps.outbound.send(target, reply);
    if (sent.ok) return "delivered";
    deps.log.warn(
      { slug: label.slug, adapter: target.adapter, kind: label.kind, code: sent.code, message: sent.message },
      "chat delivery failed while planbot stops; not retried",
    );
    return "dropped";
  }

  return {
    send(target, reply, label) {
      if (stopped) return sendOnce(target, reply, label);
      return new Promise<DeliveryState>((resolve) => {
        let answered = false;
        const item: Queued = {
          target,
          reply,
          label,
          attempts: 0,
          delivered: 0,
          answer: (state) => {
            if (answered) return;
            answered = true;
            resolve(state);
          },
        };
        const key = conversationKey(target);
        const lane = lanes.get(key);
        if (lane && lane.items.length >= maxQueued) {
          deps.log.error(
            { ...fieldsOf(item), queued: lane.items.length },
            "chat delivery dropped: too many messages already wait for this chat",
          );
          item.answer("dropped");
          return;
        }
        if (lane) {
          lane.items.push(item);
          if (lane.wake) item.answer("retrying");
          return;
        }
        const fresh: Lane = { key, items: [item], wake: undefined, run: Promise.resolve() };
        lanes.set(key, fresh);
        fresh.run = drain(fresh);
      });
    },
    pending() {
      let count = 0;
      for (const lane of lanes.values()) count += lane.items.length;
      return count;
    },
    async idle() {
      while (lanes.size > 0) await Promise.allSettled([...lanes.values()].map((lane) => lane.run));
    },
    async stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      stopped = true;
      for (const lane of lanes.values()) lane.wake?.();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...lanes.values()].map((lane) => lane.run)), grace]);
      clearTimeout(timer);
      for (const lane of lanes.values())
        for (const item of lane.items.splice(0)) {
          deps.log.warn(
            { ...fieldsOf(item), attempts: item.attempts, deliveredParts: item.delivered },
            "planbot is stopping: a chat message still waiting for its retry is dropped",
          );
          item.answer("dropped");
        }
      lanes.clear();
    },
  };
}
