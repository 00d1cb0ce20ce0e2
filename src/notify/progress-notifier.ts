import type { ChatTarget } from "../chat/incoming.ts";
import { conversationKey } from "../chat/incoming.ts";
import type { ReliableSender } from "../chat/reliable-send.ts";
import type { Reply } from "../chat/reply.ts";
import type { RunProgress, RunProgressListener } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { Clock } from "../projects/clock.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { deliverProgress, type ChatView, type ProgressOutbound } from "./progress-delivery.ts";
import { createProgressStateFile, runKey, type ProgressRun } from "./progress-state.ts";
import { finalReply, progressReply, stallReply } from "./progress-text.ts";

/** Dependencies of {@link createProgressNotifier}. */
export interface ProgressNotifierDeps {
  outbound: ProgressOutbound;
  /** Stall notices go out through it: retried when a chat has a hiccup. */
  delivery: ReliableSender;
  watcher: ChangeWatcher;
  /** The chats that planned a project: they get its progress message too. */
  chatsForProject: (slug: string) => Promise<ChatTarget[]>;
  canDeliverTo: (adapter: string) => boolean;
  notifyTargets: ChatTarget[];
  clock: Clock;
  log: Logger;
  dataDir: string;
  /** Least time between two edits of one message (PROGRESS_EDIT_SECONDS). */
  editIntervalMs: number;
  /** RALPH_STALL_MINUTES, named in the stall notice. */
  stallMinutes: number | null;
}

/** Keeps one progress message per run and chat up to date. */
export interface ProgressNotifier {
  /** Feed of progress snapshots (subscribe it to the progress hub). */
  listener: RunProgressListener;
  /** Sends the stall notice of a run to its chats (the run guard calls it once per stall). */
  stall(progress: RunProgress, quietMinutes: number): void;
  /** Finishes the messages of runs that ended while planbot was down, and follows run ends from now on. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when nothing is being sent or edited right now (tests and the bench). */
  idle(): Promise<void>;
}

/** What is kept in memory about one run being shown. */
interface RunView {
  key: string;
  slug: string;
  runId: string;
  latest: RunProgress | undefined;
  /** Set once Ralph is gone: the next pass makes the final edit. */
  ended: { record: ProjectRecord | undefined } | undefined;
  chats: Map<string, ChatView>;
  chain: Promise<void>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A record showing that a run is over: gone, or neither running nor holding a PID (a dead Ralph whose outcome
 * is not recorded yet still has one — its status then says nothing about how it ended).
 */
function runOver(record: ProjectRecord | undefined): boolean {
  return !record || (record.status !== "running-ralph" && record.pid === null);
}

/** A chat's share of the edit interval between two calls to it, across all runs shown there. */
const CHAT_GAP_SHARE = 0.65;
/** Runs whose messages were finished, so a late sample never starts a new message (bounded). */
const FINISHED_KEPT = 2000;
/** Finished runs stay in the state file this long (a late sample of a restarted planbot is still recognised). */
const PRUNE_AFTER_MS = 24 * 3600_000;

/**
 * Creates the {@link ProgressNotifier} (README, "Live progress"). Progress goes to the notifier's targets —
 * the notify chats and every chat that planned the project — as one message per run and chat, edited in
 * place at most once per `editIntervalMs` and only when its text changed. Which message shows which run is
 * stored in `progress-messages.json`, so a restarted planbot edits the same messages. When the project
 * leaves running-ralph, the message gets a last edit saying how the run ended.
 */
export function createProgressNotifier(deps: ProgressNotifierDeps): ProgressNotifier {
  const file = createProgressStateFile(deps.dataDir);
  const views = new Map<string, RunView>();
  const finished = new Set<string>();
  const chatGate = new Map<string, number>();
  /** Slugs with unfinished messages from an earlier process and no snapshot yet. */
  const waiting = new Set<string>();
  // 0.65 × the edit interval: at the default 5 s, under 20 calls a minute per chat (Telegram's group limit).
  const chatGapMs = deps.editIntervalMs * CHAT_GAP_SHARE;
  const working = new Set<Promise<void>>();
  let unsubscribe: (() => void) | undefined;
  let stopped = false;

  function markFinished(key: string): void {
    finished.add(key);
    if (finished.size > FINISHED_KEPT) finished.delete(finished.values().next().value!);
  }

  async function targetsFor(slug: string): Promise<ChatTarget[]> {
    const all = [...deps.notifyTargets, ...(await deps.chatsForProject(slug).catch(() => []))];
    const seen = new Set<string>();
    return all.filter((target) => {
      const key = conversationKey(target);
      if (seen.has(key) || !deps.canDeliverTo(target.adapter)) return false;
      seen.add(key);
      return true;
    });
  }

  function view(slug: string, runId: string): RunView {
    const key = runKey(slug, runId);
    let found = views.get(key);
    if (!found) {
      found = {
        key,
        slug,
        runId,
        latest: undefined,
        ended: undefined,
        chats: new Map(),
        chain: Promise.resolve(),
        timer: undefined,
      };
      views.set(key, found);
    }
    return found;
  }

  /** Queues a pass over one run's messages (passes of one run never overlap). */
  function kick(run: RunView): void {
    if (stopped) return;
    const work = run.chain
      .then(() => pass(run))
      .catch((error: unknown) => {
        deps.log.error({ slug: run.slug, err: error }, "updating a progress message failed");
      });
    run.chain = work;
    working.add(work);
    void work.finally(() => working.delete(work));
  }

  function later(run: RunView, atMs: number): void {
    if (run.timer || stopped) return;
    run.timer = setTimeout(
      () => {
        run.timer = undefined;
        kick(run);
      },
      Math.max(10, atMs - deps.clock.now().getTime()),
    );
    run.timer.unref();
  }

  async function pass(run: RunView): Promise<void> {
    const now = deps.clock.now();
    const read = await file.read();
    if (!read.ok) {
      deps.log.error({ code: read.code, file: file.path }, `progress messages are off: ${read.message}`);
      return;
    }
    const stored = read.data.runs[run.key];
    if (stored?.ended_at) {
      markFinished(run.key);
      views.delete(run.key);
      return;
    }
    const reply: Reply | undefined = run.ended
      ? finalReply(run.slug, run.latest, run.ended.record, now)
      : run.latest
        ? progressReply(run.latest, now)
        : undefined;
    if (!reply) return;
    const targets = run.ended ? [] : await targetsFor(run.slug);
    const outcome = await deliverProgress({
      outbound: deps.outbound,
      file,
      run: { key: run.key, slug: run.slug, runId: run.runId },
      stored: stored?.messages ?? [],
      targets,
      chats: run.chats,
      reply,
      nowMs: now.getTime(),
      intervalMs: deps.editIntervalMs,
      chatGate,
      chatGapMs,
      runsInChat: (chatKey) => {
        let shown = 0;
        for (const other of views.values()) if (!other.ended && other.chats.has(chatKey)) shown += 1;
        return shown;
      },
      log: deps.log,
    });
    if (outcome.retryAtMs !== null) {
      later(run, outcome.retryAtMs);
      return;
    }
    if (run.ended) {
      await file.mutate<object>((state) => {
        const current = state.runs[run.key];
        if (current) current.ended_at = now.toISOString();
        prune(state.runs, now.getTime());
        return { ok: true };
      });
      markFinished(run.key);
      views.delete(run.key);
    }
  }

  function prune(runs: Record<string, ProgressRun>, nowMs: number): void {
    for (const [key, run] of Object.entries(runs))
      if (run.ended_at && nowMs - Date.parse(run.ended_at) > PRUNE_AFTER_MS) delete runs[key];
  }

  /** True while a run of `slug` has a message that did not get its last edit yet. */
  function showing(slug: string): boolean {
    const key = slug.toLowerCase();
    if (waiting.has(key)) return true;
    for (const run of views.values()) if (!run.ended && run.slug.toLowerCase() === key) return true;
    return false;
  }

  /** Marks the runs of `slug` ended (all but a run that is still the current one) and queues their final edit. */
  async function ended(slug: string, record: ProjectRecord | undefined): Promise<void> {
    waiting.delete(slug.toLowerCase());
    const read = await file.read();
    const keys = new Set<string>();
    for (const run of views.values()) if (run.slug.toLowerCase() === slug.toLowerCase()) keys.add(run.key);
    if (read.ok)
      for (const [key, run] of Object.entries(read.data.runs))
        if (run.slug.toLowerCase() === slug.toLowerCase() && !run.ended_at) keys.add(key);
    for (const key of keys) {
      const stored = read.ok ? read.data.runs[key] : undefined;
      const existing = views.get(key);
      const run = existing ?? (stored ? view(stored.slug, stored.run_id) : undefined);
      if (!run || run.ended) continue;
      if (record?.status === "running-ralph" && record.started_at === run.runId) continue;
      run.ended = { record };
      kick(run);
    }
  }

  return {
    listener(progress) {
      if (stopped) return;
      const key = runKey(progress.slug, progress.runId);
      if (finished.has(key)) return;
      const run = view(progress.slug, progress.runId);
      if (run.ended) return;
      run.latest = progress;
      kick(run);
    },
    stall(progress, quietMinutes) {
      if (stopped) return;
      const reply = stallReply(progress, quietMinutes, deps.stallMinutes ?? quietMinutes, deps.clock.now());
      const work = (async () => {
        // Each chat's first attempt is awaited (stop waits for it); its retries run in the sender.
        for (const target of await targetsFor(progress.slug))
          await deps.delivery.send(target, reply, { slug: progress.slug, kind: "stall notice" });
      })();
      working.add(work);
      void work.finally(() => working.delete(work));
    },
    async start() {
      unsubscribe = deps.watcher.subscribe((change) => {
        for (const item of change.changed)
          if (runOver(item.after) && showing(item.slug)) void ended(item.slug, item.after);
      });
      // Runs whose messages were never finished: ended while planbot was down, or still running (then the
      // sampler's next snapshot goes on editing the same messages).
      const read = await file.read();
      if (!read.ok) return;
      const records = new Map(
        deps.watcher.current().list.projects.map((record) => [record.slug.toLowerCase(), record]),
      );
      for (const run of Object.values(read.data.runs)) {
        if (run.ended_at) continue;
        const record = records.get(run.slug.toLowerCase());
        if (runOver(record)) await ended(run.slug, record);
        // Still running (whoever publishes its snapshots, local or queue), or its end not recorded yet.
        else waiting.add(run.slug.toLowerCase());
      }
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      for (const run of views.values()) clearTimeout(run.timer);
      await Promise.allSettled([...working]);
    },
    async idle() {
      while (working.size > 0) await Promise.allSettled([...working]);
    },
  };
}
