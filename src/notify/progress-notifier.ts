import type { ChatTarget } from "../chat/incoming.ts";
import type { ReliableSender } from "../chat/reliable-send.ts";
import type { RunProgress, RunProgressListener } from "../execute/run-progress.ts";
import type { Logger } from "../log.ts";
import type { ChangeWatcher } from "../projects/change-watcher.ts";
import type { Clock } from "../projects/clock.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import { deliverableOnce } from "./deliverable-targets.ts";
import type { ProgressOutbound } from "./progress-delivery.ts";
import { passOverRun, type PassContext } from "./progress-pass.ts";
import { runOver, runsEndedBy, unfinishedAtStart } from "./progress-run-ends.ts";
import { createRunViews, type RunView } from "./progress-run-views.ts";
import { createProgressStateFile, runKey } from "./progress-state.ts";
import { stallReply } from "./progress-text.ts";

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

/** A chat's share of the edit interval between two calls to it, across all runs shown there. */
const CHAT_GAP_SHARE = 0.65;

/** The notify chats and the chats that planned `slug`, each once, on adapters that can deliver now. */
async function chatTargets(deps: ProgressNotifierDeps, slug: string): Promise<ChatTarget[]> {
  const all = [...deps.notifyTargets, ...(await deps.chatsForProject(slug).catch(() => []))];
  return deliverableOnce(all, deps.canDeliverTo);
}

/**
 * Creates the {@link ProgressNotifier} (README, "Live progress"). Progress goes to the notifier's targets —
 * the notify chats and every chat that planned the project — as one message per run and chat, edited in
 * place at most once per `editIntervalMs` and only when its text changed. Which message shows which run is
 * stored in `progress-messages.json`, so a restarted planbot edits the same messages. When the project
 * leaves running-ralph, the message gets a last edit saying how the run ended.
 */
export function createProgressNotifier(deps: ProgressNotifierDeps): ProgressNotifier {
  const file = createProgressStateFile(deps.dataDir);
  const runs = createRunViews();
  const { view, showing, waiting } = runs;
  const working = new Set<Promise<void>>();
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  const targetsFor = (slug: string) => chatTargets(deps, slug);
  const passes: PassContext = {
    outbound: deps.outbound,
    file,
    runs,
    clock: deps.clock,
    log: deps.log,
    targetsFor,
    later,
    editIntervalMs: deps.editIntervalMs,
    chatGate: new Map<string, number>(),
    // 0.65 × the edit interval: at the default 5 s, under 20 calls a minute per chat (Telegram's group limit).
    chatGapMs: deps.editIntervalMs * CHAT_GAP_SHARE,
  };

  /** Queues a pass over one run's messages (passes of one run never overlap). */
  function kick(run: RunView): void {
    if (stopped) return;
    const work = run.chain
      .then(() => passOverRun(passes, run))
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

  /** True when the project's record, as the watcher last saw it, shows this very run over. */
  function knownOver(progress: RunProgress): boolean {
    const slug = progress.slug.toLowerCase();
    const record = deps.watcher.current().list.projects.find((each) => each.slug.toLowerCase() === slug);
    return record !== undefined && record.started_at === progress.runId && runOver(record);
  }

  /** Marks the runs of `slug` ended (all but a run that is still the current one) and queues their final edit. */
  async function ended(slug: string, record: ProjectRecord | undefined): Promise<void> {
    for (const run of await runsEndedBy(file, runs, slug, record)) {
      run.ended = { record };
      kick(run);
    }
  }

  return {
    listener(progress) {
      if (stopped) return;
      const key = runKey(progress.slug, progress.runId);
      if (runs.isFinished(key)) return;
      // A sample taken before the run ended and published after its end was seen: when no message showed
      // the run yet, nothing would ever give a new one its last edit.
      if (!runs.get(key) && knownOver(progress)) return;
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
      // Runs whose messages were never finished: ended while planbot was down, or still running (whoever
      // publishes its snapshots, local or queue) or its end not recorded yet.
      const unfinished = await unfinishedAtStart(file, deps.watcher.current().list.projects);
      for (const slug of unfinished?.running ?? []) waiting.add(slug);
      for (const { slug, record } of unfinished?.over ?? []) await ended(slug, record);
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      for (const run of runs.values()) clearTimeout(run.timer);
      await Promise.allSettled([...working]);
    },
    async idle() {
      while (working.size > 0) await Promise.allSettled([...working]);
    },
  };
}
