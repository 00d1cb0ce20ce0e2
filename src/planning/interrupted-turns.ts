import { bold, escapeMarkup, type Reply } from "../chat/reply.ts";
import type { PlanningParts } from "./planning-parts.ts";

/** What {@link recoverInterruptedTurns} uses of the planning service. */
export type RecoveryParts = Pick<PlanningParts, "sessions" | "directory" | "deferred" | "bootId">;

/**
 * After a restart: tells the chats of every turn that died with an earlier process that its message was
 * not answered (clearing the mark so it is said once), and schedules messages kept for a usage limit.
 * Returns how many interrupted turns were reported; call once adapters are up.
 */
export async function recoverInterruptedTurns(parts: RecoveryParts): Promise<number> {
  await parts.deferred.schedule();
  const read = await parts.sessions.read();
  if (!read.ok) return 0;
  const stale = Object.entries(read.sessions).filter(
    ([, session]) => session.pending_message && session.pending_message.boot_id !== parts.bootId,
  );
  for (const [key, session] of stale) {
    const pending = session.pending_message!;
    await parts.sessions.mutate((sessions) => {
      const current = sessions[key];
      if (current?.pending_message?.boot_id === pending.boot_id) current.pending_message = null;
      return { ok: true };
    });
    const notice: Reply = {
      text: `planbot restarted while the planner was answering ${bold(pending.user)}'s message in ${bold(session.slug)}: "${escapeMarkup(pending.text.slice(0, 200))}". That message was not answered; send it again to continue.`,
      tone: "error",
    };
    await parts.directory.mirror(session, undefined, notice);
  }
  return stale.length;
}
