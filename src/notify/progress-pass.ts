/**
 * One pass over a run's progress messages: what the state file says of the run, the reply to show (the
 * latest snapshot, or the last edit once the run ended), delivered to its chats; a run that ended is then
 * marked so in the file and forgotten. Passes of one run are queued by the progress notifier, never overlap.
 */
import type { ChatTarget } from "../chat/incoming.ts";
import type { Reply } from "../chat/reply.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../projects/clock.ts";
import type { LockedJsonFile } from "../projects/locked-json-file.ts";
import { deliverProgress, type ProgressOutbound } from "./progress-delivery.ts";
import type { ProgressRun, ProgressState } from "./progress-state.ts";
import { finalReply, progressReply } from "./progress-text.ts";
import type { RunView, RunViews } from "./progress-run-views.ts";

/** Finished runs stay in the state file this long (a late sample of a restarted planbot is still recognised). */
const PRUNE_AFTER_MS = 24 * 3600_000;

/** What a pass works with, shared by every run of one notifier. */
export interface PassContext {
  outbound: ProgressOutbound;
  file: LockedJsonFile<ProgressState>;
  runs: RunViews;
  clock: Clock;
  log: Logger;
  /** The chats a run's message belongs in. */
  targetsFor(slug: string): Promise<ChatTarget[]>;
  /** Queues another pass of `run` at `atMs` (a chat had to wait). */
  later(run: RunView, atMs: number): void;
  editIntervalMs: number;
  chatGate: Map<string, number>;
  chatGapMs: number;
}

/** Runs one pass over `run`'s messages. */
export async function passOverRun(context: PassContext, run: RunView): Promise<void> {
  const { file, runs } = context;
  const now = context.clock.now();
  // Read once: the run may end while this pass awaits a chat. A pass that began with a running snapshot
  // delivers that snapshot and must not mark the run finished; the pass queued by the end does both.
  const ending = run.ended;
  const read = await file.read();
  if (!read.ok) {
    context.log.error({ code: read.code, file: file.path }, `progress messages are off: ${read.message}`);
    return;
  }
  const stored = read.data.runs[run.key];
  if (stored?.ended_at) {
    runs.finish(run.key);
    return;
  }
  const reply: Reply | undefined = ending
    ? finalReply(run.slug, run.latest, ending.record, now)
    : run.latest
      ? progressReply(run.latest, now)
      : undefined;
  if (!reply) return;
  const targets = ending ? [] : await context.targetsFor(run.slug);
  const outcome = await deliverProgress({
    outbound: context.outbound,
    file,
    run: { key: run.key, slug: run.slug, runId: run.runId },
    stored: stored?.messages ?? [],
    targets,
    chats: run.chats,
    reply,
    nowMs: now.getTime(),
    intervalMs: context.editIntervalMs,
    chatGate: context.chatGate,
    chatGapMs: context.chatGapMs,
    runsInChat: (chatKey) => runs.runsInChat(chatKey),
    log: context.log,
  });
  if (outcome.retryAtMs !== null) {
    context.later(run, outcome.retryAtMs);
    return;
  }
  if (ending) {
    await file.mutate<object>((state) => {
      const current = state.runs[run.key];
      if (current) current.ended_at = now.toISOString();
      prune(state.runs, now.getTime());
      return { ok: true };
    });
    runs.finish(run.key);
  }
}

/** Drops runs that ended more than {@link PRUNE_AFTER_MS} ago from the state. */
function prune(runs: Record<string, ProgressRun>, nowMs: number): void {
  for (const [key, run] of Object.entries(runs))
    if (run.ended_at && nowMs - Date.parse(run.ended_at) > PRUNE_AFTER_MS) delete runs[key];
}
