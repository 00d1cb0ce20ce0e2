import type { ChatTarget } from "../chat/incoming.ts";
import type { Reply, ReplyAttachment } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import { finalPlanDocument } from "../planning/final-plan-delivery.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { notificationFor } from "./notification-messages.ts";
import type { NotificationState, OutboxItem } from "./notification-state.ts";
import { gatherRunFacts, type RunFacts } from "./run-facts.ts";

/** What queuing status messages needs from the notifier. */
export interface StatusTransitionDeps {
  file: LockedJsonFile<NotificationState>;
  workspaceDir: string;
  /** EXECUTE_AT, when set: the approved notice promises a scheduled run only then. */
  executeAt: string | undefined;
  now: () => Date;
  log: Logger;
  targetsFor(record: ProjectRecord, audience: "channels" | "everyone"): Promise<ChatTarget[]>;
  outboxItem(record: ProjectRecord, target: ChatTarget, reply: Reply): OutboxItem;
}

/**
 * Compares `records` with the last announced statuses and, in one locked write, records the new statuses
 * and queues a message for each change (`removed` projects are forgotten). Before the first start is
 * recorded, statuses are only remembered, never announced.
 */
export async function enqueueStatusTransitions(
  deps: StatusTransitionDeps,
  records: ProjectRecord[],
  removed: string[],
): Promise<void> {
  const { file, now, targetsFor, outboxItem } = deps;
  // Worded twice: once to find the audience outside the lock, once against the statuses read under it.
  const noteFor = (
    record: ProjectRecord,
    previous: string | undefined,
    facts: RunFacts | undefined,
    planDocument: ReplyAttachment | undefined,
  ) =>
    notificationFor(record, previous, {
      workspaceDir: deps.workspaceDir,
      now: now(),
      facts,
      executeAt: deps.executeAt,
      planDocument,
    });
  // Work out targets before taking the lock: they read the session store.
  const planned: {
    record: ProjectRecord;
    targets: ChatTarget[];
    facts: RunFacts | undefined;
    planDocument: ReplyAttachment | undefined;
  }[] = [];
  const read = await file.read();
  const known = read.ok ? read.data.last_status : {};
  for (const record of records) {
    const previous = known[record.slug.toLowerCase()];
    if (previous === record.status) continue;
    // A finished run's report (stories, commits): gathered once, outside the lock.
    const facts = await gatherRunFacts(record, { workspaceDir: deps.workspaceDir });
    // The approved notice carries the plan as a document, as the planning chats' final plan does.
    const planDocument =
      record.status === "approved"
        ? await finalPlanDocument(record.slug, workspacePaths(deps.workspaceDir, record.slug).root)
        : undefined;
    const note = noteFor(record, previous, facts, planDocument);
    planned.push({ record, targets: note ? await targetsFor(record, note.audience) : [], facts, planDocument });
  }
  if (planned.length === 0 && removed.length === 0) return;
  const result = await file.mutate<object>((state) => {
    for (const slug of removed) delete state.last_status[slug.toLowerCase()];
    for (const { record, targets, facts, planDocument } of planned) {
      const previous = state.last_status[record.slug.toLowerCase()];
      if (previous === record.status) continue;
      state.last_status[record.slug.toLowerCase()] = record.status;
      if (!state.initialized) continue;
      const note = noteFor(record, previous, facts, planDocument);
      if (!note) continue;
      for (const target of targets) state.outbox.push(outboxItem(record, target, note.reply));
      deps.log.info(
        { slug: record.slug, from: previous, to: record.status, targets: targets.length },
        "transition queued",
      );
    }
    return { ok: true };
  });
  if (!result.ok) deps.log.error({ code: result.code, message: result.message }, "could not record a transition");
}
