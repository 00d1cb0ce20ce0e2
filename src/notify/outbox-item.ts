import { randomUUID } from "node:crypto";
import type { ChatTarget } from "../chat/incoming.ts";
import type { Reply } from "../chat/reply.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { OutboxItem } from "./notification-state.ts";

/** A new outbox message about `record` for `target`, due now: the reply is copied, so it is sent as queued. */
export function newOutboxItem(record: ProjectRecord, target: ChatTarget, reply: Reply, now: Date): OutboxItem {
  const at = now.toISOString();
  return {
    id: randomUUID(),
    slug: record.slug,
    status: record.status,
    target: { adapter: target.adapter, channel_id: target.channelId, thread_id: target.threadId ?? null },
    reply: {
      text: reply.text,
      ...(reply.tone ? { tone: reply.tone } : {}),
      ...(reply.actions ? { actions: reply.actions.map((action) => ({ ...action })) } : {}),
      ...(reply.choice ? { choice: reply.choice } : {}),
      ...(reply.operatorText ? { operatorText: reply.operatorText } : {}),
      // Kept with the message, so a retry after a restart sends the same document.
      ...(reply.attachment ? { attachment: { ...reply.attachment } } : {}),
    },
    attempts: 0,
    next_attempt_at: at,
    created_at: at,
    last_error: null,
  };
}
