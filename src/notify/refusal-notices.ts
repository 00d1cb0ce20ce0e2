import type { ChatTarget } from "../chat/incoming.ts";
import { bold, code, escapeMarkup, type Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { NotificationState, OutboxItem } from "./notification-state.ts";
import { operatorRefusalWords } from "./operator-words.ts";

/** What {@link enqueueRefusalNotices} needs from the notifier. */
export interface RefusalNoticeIo {
  file: LockedJsonFile<NotificationState>;
  records: readonly ProjectRecord[];
  targetsFor(record: ProjectRecord, audience: "everyone"): Promise<ChatTarget[]>;
  outboxItem(record: ProjectRecord, target: ChatTarget, reply: Reply): OutboxItem;
  log: Logger;
}

/** The state with the field only refusal notices use (absent from a state written before they existed). */
type WithRefusals = NotificationState & { last_refusal?: Record<string, string> };

/**
 * A run a worker refused leaves the project approved — no status changes, so no transition tells anyone —
 * while `/run` already answered "queued". This tells the project's chats (notify channels and the chats that
 * planned it) once per refusal, keyed by its `at` in `last_refusal` of notifications.json, through the same
 * durable outbox. Refusals seen on the very first start are recorded, not announced.
 */
export async function enqueueRefusalNotices(io: RefusalNoticeIo): Promise<void> {
  const read = await io.file.read();
  const known = read.ok ? ((read.data as WithRefusals).last_refusal ?? {}) : {};
  const fresh = io.records.filter(
    (record) => record.run_refusal && known[record.slug.toLowerCase()] !== record.run_refusal.at,
  );
  if (fresh.length === 0) return;
  const planned = await Promise.all(
    fresh.map(async (record) => ({ record, targets: await io.targetsFor(record, "everyone") })),
  );
  const result = await io.file.mutate<object>((raw) => {
    const state = raw as WithRefusals;
    const announced = (state.last_refusal ??= {});
    for (const { record, targets } of planned) {
      const key = record.slug.toLowerCase();
      if (!record.run_refusal || announced[key] === record.run_refusal.at) continue;
      announced[key] = record.run_refusal.at;
      // Approved again, run or cancelled since: the refusal is old news. Answered: `/run`'s reply said it.
      if (!state.initialized || record.status !== "approved" || record.run_refusal.answered) continue;
      const reply = refusalReply(record);
      for (const target of targets) state.outbox.push(io.outboxItem(record, target, reply));
      io.log.info({ slug: record.slug, targets: targets.length }, "run refusal notice queued");
    }
    return { ok: true };
  });
  if (!result.ok) io.log.error({ code: result.code, message: result.message }, "could not record a refusal notice");
}

/**
 * The chat message of a refused run: on which worker, why and what to fix, and that the project waits. A
 * machine not set up for Ralph, or a script the server must make executable, is the operator's to fix: chat
 * members read what is wrong, their own part of the fix where there is one, and whom to tell; the operator
 * (`operatorText`) reads the preflight's own fix.
 */
export function refusalReply(record: ProjectRecord): Reply {
  const refusal = record.run_refusal!;
  const where = refusal.worker ? ` on worker ${code(refusal.worker)}` : "";
  const again = `run it again with ${code(`/run ${record.slug}`)}.`;
  // The preflight's own words begin "Ralph was not started: <why>. Fix: <what to do>".
  const why = refusal.message.replace(/^Ralph was not started:\s*/, "").slice(0, 1500);
  const text = `${bold(record.slug)}: Ralph was not started${where}: ${escapeMarkup(why)}\nNothing ran: the project stays approved. Fix that, then ${again}`;
  const operator = operatorRefusalWords(refusal, record.slug);
  const forMembers = operator
    ? `${bold(record.slug)}: Ralph was not started${where}: ${operator.problem}.\nNothing ran: the project stays approved. ${operator.advice} Once it is fixed, ${again}`
    : undefined;
  return {
    ...(forMembers ? { text: forMembers, operatorText: text } : { text }),
    tone: "error",
    actions: [
      { label: "Run again", command: `/run ${record.slug}`, style: "primary" },
      { label: "Status", command: `/status ${record.slug}`, style: "secondary" },
    ],
  };
}
