import { conversationKey, type ChatTarget } from "../chat/incoming.ts";
import type { Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { Result } from "../projects/result.ts";
import type { ProgressMessage, ProgressState } from "./progress-state.ts";

/** Sending and editing, as the outbound router offers them. */
export interface ProgressOutbound {
  send(target: ChatTarget, reply: Reply): Promise<Result<{ messageIds: string[] }>>;
  edit(target: ChatTarget, messageId: string, reply: Reply): Promise<Result<{ messageId: string }>>;
}

/** What this process knows of one chat's progress message (in memory: after a restart, the first edit just goes out). */
export interface ChatView {
  /** The text it shows, as far as this process knows. */
  text: string | undefined;
  editedAtMs: number;
  /** A 429's retry_after: no call to this chat before then. */
  blockedUntilMs: number;
}

/** One pass over a run's chats. */
export interface DeliveryPass {
  outbound: ProgressOutbound;
  file: LockedJsonFile<ProgressState>;
  run: { key: string; slug: string; runId: string };
  stored: readonly ProgressMessage[];
  /** Chats that should have a message (none once the run ended: only existing messages get the final edit). */
  targets: readonly ChatTarget[];
  chats: Map<string, ChatView>;
  reply: Reply;
  nowMs: number;
  intervalMs: number;
  /**
   * Per chat (shared by every run shown there): when the next send or edit may go out. Several runs in one
   * group must not add up past the platform's per-chat limit (Telegram: about 20 messages a minute in a group).
   */
  chatGate: Map<string, number>;
  /** Least time between two calls to one chat, whatever run they are for. */
  chatGapMs: number;
  /** Runs with a message in the chat now: each message there waits its turn (runs × gap) so all move along. */
  runsInChat: (chatKey: string) => number;
  log: Logger;
}

const targetOf = (message: ProgressMessage): ChatTarget => ({
  adapter: message.adapter,
  channelId: message.channel_id,
  ...(message.thread_id ? { threadId: message.thread_id } : {}),
});

/**
 * Brings every chat's progress message of one run to `reply`: sends it where there is none yet (and stores
 * its id before anything else), edits it where the text changed and the chat's interval has passed, and
 * sends a new one where the old one is gone. `retryAtMs` says when a chat that had to wait can be done.
 */
export async function deliverProgress(pass: DeliveryPass): Promise<{ retryAtMs: number | null }> {
  const byChat = new Map<string, { target: ChatTarget; message: ProgressMessage | undefined }>();
  for (const message of pass.stored)
    byChat.set(conversationKey(targetOf(message)), { target: targetOf(message), message });
  for (const target of pass.targets) {
    const key = conversationKey(target);
    if (!byChat.has(key)) byChat.set(key, { target, message: undefined });
  }
  let retryAtMs: number | null = null;
  const retryAt = (atMs: number) => {
    retryAtMs = retryAtMs === null ? atMs : Math.min(retryAtMs, atMs);
  };
  for (const [key, { target, message }] of byChat) {
    const chat = pass.chats.get(key) ?? { text: undefined, editedAtMs: 0, blockedUntilMs: 0 };
    pass.chats.set(key, chat);
    if (chat.text === pass.reply.text) continue;
    const spacing = Math.max(pass.intervalMs, pass.runsInChat(key) * pass.chatGapMs);
    const allowedAt = Math.max(chat.editedAtMs + spacing, chat.blockedUntilMs, pass.chatGate.get(key) ?? 0);
    if (pass.nowMs < allowedAt) {
      retryAt(allowedAt);
      continue;
    }
    pass.chatGate.set(key, pass.nowMs + pass.chatGapMs);
    let needsNew = message === undefined;
    if (message) {
      const edited = await pass.outbound.edit(target, message.message_id, pass.reply);
      if (edited.ok) {
        chat.text = pass.reply.text;
        chat.editedAtMs = pass.nowMs;
      } else if (edited.code === "message_gone") {
        needsNew = true;
      } else settleFailure(pass, chat, target, edited, retryAt);
    }
    if (!needsNew) continue;
    const sent = await pass.outbound.send(target, pass.reply);
    if (!sent.ok) {
      settleFailure(pass, chat, target, sent, retryAt);
      continue;
    }
    chat.text = pass.reply.text;
    chat.editedAtMs = pass.nowMs;
    const record: ProgressMessage = {
      adapter: target.adapter,
      channel_id: target.channelId,
      thread_id: target.threadId ?? null,
      message_id: sent.messageIds[0] ?? "",
      sent_at: new Date(pass.nowMs).toISOString(),
    };
    const saved = await pass.file.mutate<object>((state) => {
      const run = (state.runs[pass.run.key] ??= { slug: pass.run.slug, run_id: pass.run.runId, messages: [] });
      run.messages = run.messages.filter((kept) => conversationKey(targetOf(kept)) !== key);
      run.messages.push(record);
      return { ok: true };
    });
    if (!saved.ok)
      pass.log.error({ slug: pass.run.slug, err: saved.message }, "could not store a progress message's id");
  }
  return { retryAtMs };
}

/** A failed send or edit: wait out a 429, give up on this text when retrying cannot help, else retry next interval. */
function settleFailure(
  pass: DeliveryPass,
  chat: ChatView,
  target: ChatTarget,
  failure: { code: string; message: string; details?: Record<string, unknown> },
  retryAt: (atMs: number) => void,
): void {
  if (failure.code === "rate_limited") {
    const waitMs = typeof failure.details?.retryAfterMs === "number" ? failure.details.retryAfterMs : pass.intervalMs;
    chat.blockedUntilMs = pass.nowMs + waitMs;
    retryAt(chat.blockedUntilMs);
    return;
  }
  if (failure.code === "not_available" || failure.details?.permanent === true) {
    // Nothing more can be done for this text in this chat (it cannot edit, or refuses the bot).
    chat.text = pass.reply.text;
    chat.editedAtMs = pass.nowMs;
  } else {
    chat.editedAtMs = pass.nowMs;
    retryAt(pass.nowMs + pass.intervalMs);
  }
  pass.log.warn(
    { slug: pass.run.slug, adapter: target.adapter, code: failure.code, message: failure.message },
    "progress message not updated",
  );
}
