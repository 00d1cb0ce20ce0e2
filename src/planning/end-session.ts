import { bold, code, escapeMarkup, type Reply } from "../chat/reply.ts";
import type { Result } from "../projects/result.ts";
import type { PlanningParts } from "./planning-parts.ts";
import type { ChatTarget } from "../chat/incoming.ts";
import type { AbandonedSession, PlanningRequest } from "./planning-port.ts";
import { findSessionForSlug } from "./session-store.ts";

/** What {@link stopSession} and {@link abandonSession} use of the planning service. */
export type EndParts = Pick<PlanningParts, "sessions" | "lifecycle" | "directory" | "turns">;

/**
 * `/stop`: ends the chat's planning session and puts the project back to pending. The session is
 * closed first, so a turn that ends now finds it closed and its answer is dropped; then the turn is killed.
 */
export async function stopSession(parts: EndParts, { incoming }: PlanningRequest): Promise<Result<{ reply: Reply }>> {
  const found = await parts.directory.resolve(incoming);
  if (!found.ok) return found;
  const closed = await parts.directory.close(found.key, "stopped");
  parts.turns.abort(found.key);
  const cancelled = await parts.lifecycle.cancelPlanning(found.session.slug);
  if (!cancelled.ok && cancelled.code !== "not_found") return cancelled;
  // Only a project still in `planning` goes back to pending: one approved or cancelled meanwhile keeps that status.
  const slug = found.session.slug;
  const status = cancelled.ok ? (cancelled.entry.status ?? "pending").toLowerCase() : undefined;
  const now =
    status === "pending"
      ? `it is pending again. ${code(`/plan ${slug}`)} starts over.`
      : status
        ? `it stays ${escapeMarkup(status)}. ${code(`/status ${slug}`)} shows it.`
        : "its project no longer exists.";
  const reply: Reply = {
    text: `Stopped planning ${bold(slug)}; ${now}`,
    tone: "success",
  };
  if (closed.ok) await parts.directory.relay(closed.session, incoming, reply, "/stop");
  return { ok: true, reply };
}

/**
 * Ends a slug's open planning session from outside its conversation — the project left `planning` (the
 * change watcher: another tool or process changed it) or was cancelled (`/cancel`): its running turn is
 * stopped, its answer never delivered, and every chat of the session but `except` (the asking one, which
 * hears it in its own reply) is told why. What it ended says whether there was a session and a turn.
 */
export async function abandonSession(
  parts: EndParts,
  slug: string,
  reason: string,
  except?: ChatTarget,
): Promise<AbandonedSession> {
  const read = await parts.sessions.read();
  if (!read.ok) return { ended: false, turnStopped: false };
  const found = findSessionForSlug(read.sessions, slug);
  if (!found) return { ended: false, turnStopped: false };
  const closed = await parts.directory.close(found.key, reason);
  const turnStopped = parts.turns.abort(found.key);
  const turnNote = turnStopped ? "; its running planner turn was stopped" : "";
  if (closed.ok)
    await parts.directory.mirror(closed.session, except, {
      text: `Planning of ${bold(closed.session.slug)} was ended (${escapeMarkup(reason)})${turnNote}.`,
      tone: "error",
    });
  return { ended: true, turnStopped };
}
