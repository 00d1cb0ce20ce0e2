import { fail, type Result } from "../projects/result.ts";
import type { ChatTarget } from "./incoming.ts";
import { operatorView, type Reply } from "./reply.ts";
import { hideServerPathsIn, type ServerFolders } from "./server-paths.ts";

/**
 * Delivering a reply to a chat nobody is currently talking in: mirroring planner replies to every
 * bound chat, and notifications. Each adapter implements it; the core never calls a platform.
 * Failures are typed so the notifier can retry: `rate_limited` carries `details.retryAfterMs`, and
 * `send_failed` with `details.permanent` means retrying cannot help (unknown chat, bot removed).
 *
 * A reply can go out as several platform messages ("parts": text chunks, a document after the text). A
 * send that fails part-way says how many parts of the reply are out in `details.deliveredParts`; a retry
 * passes that back as {@link SendResume} so only the rest is sent and nobody reads the text twice.
 */
export interface Outbound {
  send(target: ChatTarget, reply: Reply, resume?: SendResume): Promise<Result<{ messageIds: string[] }>>;
  /**
   * Replaces the text (and buttons) of a message this adapter sent, for messages kept up to date in place
   * (a run's progress). `message_gone` when the message no longer exists (deleted, too old to edit): send a
   * new one. Same failures as `send` otherwise. Adapters that cannot edit leave it out.
   */
  edit?(target: ChatTarget, messageId: string, reply: Reply): Promise<Result<{ messageId: string }>>;
  /**
   * Every chat of this Outbound is read by planbot's server operator (the terminal: only the user that owns
   * the data folder can open it), so what it carries keeps planbot's absolute paths — the operator can open
   * the plan document they name. The same fact `HandleOptions.operator` declares for the lines typed there;
   * declared on the Outbound because that is what the router holds. Chat platforms leave it out.
   */
  readonly operator?: boolean;
}

/**
 * Where a retried send picks up: the first `deliveredParts` parts of this reply reached this chat in an
 * earlier attempt (the adapter splits a reply the same way every time), so they are skipped.
 */
export interface SendResume {
  deliveredParts: number;
}

/** The parts a failed send reports as delivered (`details.deliveredParts`), or 0 when it says nothing. */
export function deliveredParts(failure: { details?: Record<string, unknown> | undefined }): number {
  const parts = failure.details?.deliveredParts;
  return typeof parts === "number" && Number.isSafeInteger(parts) && parts > 0 ? parts : 0;
}

/** Routes each target to its adapter's {@link Outbound}. */
export interface OutboundRouter extends Outbound {
  edit(target: ChatTarget, messageId: string, reply: Reply): Promise<Result<{ messageId: string }>>;
  register(adapter: string, outbound: Outbound): void;
  unregister(adapter: string): void;
  has(adapter: string): boolean;
  /** The adapter's own Outbound (for tests and diagnostics); `send` above is the guarded way to use it. */
  get(adapter: string): Outbound | undefined;
}

/**
 * Creates an empty {@link OutboundRouter}; adapters register themselves as they start. With `serverFolders`,
 * no message it carries (notices, mirrored planner replies, progress) shows a path inside them, except to an
 * Outbound read by the server's operator ({@link Outbound.operator}), which gets a reply's `operatorText`
 * where it has one.
 */
export function createOutboundRouter(options: { serverFolders?: ServerFolders | undefined } = {}): OutboundRouter {
  const byAdapter = new Map<string, Outbound>();
  const shown = (reply: Reply, outbound: Outbound): Reply => {
    if (outbound.operator) return operatorView(reply);
    return options.serverFolders ? hideServerPathsIn(reply, options.serverFolders) : reply;
  };
  return {
    register: (adapter, outbound) => void byAdapter.set(adapter, outbound),
    unregister: (adapter) => void byAdapter.delete(adapter),
    has: (adapter) => byAdapter.has(adapter),
    get: (adapter) => byAdapter.get(adapter),
    async edit(target, messageId, reply) {
      const outbound = byAdapter.get(target.adapter);
      if (!outbound)
        return fail("send_failed", `The ${target.adapter} adapter is not running, so nothing can be edited there.`, {
          details: { permanent: false },
        });
      if (!outbound.edit)
        return fail("not_available", `The ${target.adapter} adapter cannot edit messages.`, {
          details: { permanent: true },
        });
      try {
        return await outbound.edit(target, messageId, shown(reply, outbound));
      } catch (error) {
        return fail("send_failed", `Editing on ${target.adapter} failed: ${(error as Error).message}`, {
          details: { permanent: false },
        });
      }
    },
    async send(target, reply, resume) {
      const outbound = byAdapter.get(target.adapter);
      if (!outbound)
        return fail("send_failed", `The ${target.adapter} adapter is not running, so nothing can be sent there.`, {
          details: { permanent: false },
        });
      try {
        return await outbound.send(target, shown(reply, outbound), resume);
      } catch (error) {
        return fail("send_failed", `Sending to ${target.adapter} failed: ${(error as Error).message}`, {
          details: { permanent: false },
        });
      }
    },
  };
}
