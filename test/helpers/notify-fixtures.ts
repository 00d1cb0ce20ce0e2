/**
 * Fixtures for the notification tests and bench: projects in a temp data dir written the way planbot's
 * writers do (the store through the real locked store, prd.json atomically like an editor's save), a
 * recording in-memory {@link Outbound}, and a "stack" = a real runtime (watcher, planning service,
 * outbound router) plus a notifier built with chosen notify targets. Free of vitest, so the bench and
 * the child-process worker can use it too.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatTarget } from "../../src/chat/incoming.ts";
import { createNotifier, type Notifier } from "../../src/notify/notifier.ts";
import type { NotificationState } from "../../src/notify/notification-state.ts";
import type { Outbound } from "../../src/chat/outbound.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import { createSessionStore, type PlanningSession } from "../../src/planning/session-store.ts";
import type { Clock } from "../../src/projects/clock.ts";
import type { ProjectStatus } from "../../src/projects/derive-status.ts";
import { createProjectStore, type ProjectStore } from "../../src/projects/project-store.ts";
import { fail, type Failure } from "../../src/projects/result.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime, type Runtime, type RuntimeOverrides } from "../../src/runtime/runtime.ts";

// ---- projects on disk -------------------------------------------------------------------------

/** A story of a test PRD: `true` passes, `"blocked"` / `"failed"` is marked so, `false` is open. */
export type StoryState = boolean | "blocked" | "failed";

/** A Ralph prd.json with one story per state, ids `US-001`, `US-002`, … */
export function prdWith(slug: string, states: StoryState[], branch = `ralph/${slug}`): object {
  return {
    project: slug,
    branchName: branch,
    description: `Test project ${slug}`,
    userStories: states.map((state, index) => ({
      id: `US-${String(index + 1).padStart(3, "0")}`,
      title: `Story ${index + 1}`,
      description: "As a user I want it.",
      acceptanceCriteria: ["it works"],
      priority: index + 1,
      passes: state === true,
      notes: "",
      ...(state === "blocked" ? { blocked: true } : {}),
      ...(state === "failed" ? { failed: true } : {}),
    })),
  };
}

/** Writes `scripts/ralph/prd.json` atomically (temp file + rename in the same folder). */
export function writePrd(workspaceDir: string, slug: string, prd: object): void {
  const paths = workspacePaths(workspaceDir, slug);
  mkdirSync(paths.ralph, { recursive: true });
  const temp = join(paths.ralph, `.prd.json.${randomUUID()}.tmp`);
  writeFileSync(temp, `${JSON.stringify(prd, null, 2)}\n`);
  renameSync(temp, paths.prd);
}

/** Writes a Ralph iteration log (`scripts/ralph/logs/<name>`). */
export function writeLog(workspaceDir: string, slug: string, name: string, lines: string[]): void {
  const logs = workspacePaths(workspaceDir, slug).logs;
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, name), `${lines.join("\n")}\n`);
}

/** The project store of a data dir (the real locked store: version bump, atomic rename). */
export function storeOf(dataDir: string, clock: Clock = { now: () => new Date() }): ProjectStore {
  return createProjectStore({ dataDir, clock });
}

/** Creates or patches one entry of approved-tasks.json, as the lifecycle or the executor would. */
export async function putEntry(store: ProjectStore, entry: Partial<ProjectEntry> & { name: string }): Promise<void> {
  const result = await store.mutate((file) => {
    const existing = file.projects.find((candidate) => candidate.name.toLowerCase() === entry.name.toLowerCase());
    if (existing) Object.assign(existing, entry);
    else
      file.projects.push({
        description: `Test project ${entry.name}`,
        status: "pending",
        proposed_at: new Date().toISOString(),
        ...entry,
      });
    return { ok: true };
  });
  if (!result.ok) throw new Error(`putEntry ${entry.name}: ${result.message}`);
}

/** Writes many entries in one mutation (the bench's 1,000 projects). */
export async function putEntries(
  store: ProjectStore,
  entries: Array<Partial<ProjectEntry> & { name: string }>,
): Promise<void> {
  const result = await store.mutate((file) => {
    for (const entry of entries)
      file.projects.push({ description: `Test project ${entry.name}`, status: "pending", ...entry });
    return { ok: true };
  });
  if (!result.ok) throw new Error(`putEntries: ${result.message}`);
}

/** Records a planning session for `slug` held in `chat` (plus bound chats), in the documented shape. */
export async function putPlanningSession(
  dataDir: string,
  slug: string,
  chat: ChatTarget,
  options: { bound?: ChatTarget[]; closed?: boolean; updatedAt?: string } = {},
): Promise<void> {
  const at = options.updatedAt ?? new Date().toISOString();
  const session: PlanningSession = {
    adapter: chat.adapter,
    channel_id: chat.channelId,
    thread_id: chat.threadId ?? null,
    slug,
    phase: "finalize",
    phases_planned: ["clarify", "design", "stories", "finalize"],
    phases_completed: ["clarify", "design", "stories", "finalize"],
    session_id: randomUUID(),
    session_started: true,
    planning_session_id: randomUUID(),
    started_at: at,
    updated_at: at,
    last_text_excerpt: "Plan approved.",
    final_plan_path: null,
    bound_chats: (options.bound ?? []).map((target) => ({
      adapter: target.adapter,
      channel_id: target.channelId,
      thread_id: target.threadId ?? null,
    })),
    closed_at: options.closed === false ? null : at,
    closed_reason: options.closed === false ? null : "approved",
  };
  const key = chat.threadId
    ? `${chat.adapter}:${chat.channelId}:${chat.threadId}`
    : `${chat.adapter}:${chat.channelId}`;
  const result = await createSessionStore(dataDir).mutate((sessions) => {
    sessions[key] = session;
    return { ok: true };
  });
  if (!result.ok) throw new Error(`putPlanningSession: ${result.message}`);
}

/** notifications.json as it is on disk now (undefined before the first start). */
export function readNotificationState(dataDir: string): NotificationState | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, "notifications.json"), "utf8")) as NotificationState;
  } catch {
    return undefined;
  }
}

// ---- a recording outbound ---------------------------------------------------------------------

/** One message an {@link Outbound} accepted. */
export interface Delivery {
  target: ChatTarget;
  reply: Reply;
  at: number;
}

/** An in-memory Outbound that records what it accepted and can be told to fail. */
export interface RecordingOutbound {
  outbound: Outbound;
  /** Accepted messages, oldest first. */
  sent: Delivery[];
  /** Every call, accepted or not. */
  attempts: Array<{ target: ChatTarget; at: number; ok: boolean }>;
  /** The next `times` calls fail with `failure` (default: a retryable send_failed). */
  failNext(times: number, failure?: Failure): void;
  /** Messages accepted for one chat (`adapter:channel`). */
  to(key: string): Delivery[];
  /** Resolves once `predicate` holds for the accepted messages; rejects after `timeoutMs`. */
  waitFor(predicate: (sent: Delivery[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Called for each accepted message (the bench's timestamps). */
  onDelivery?: (delivery: Delivery) => void;
}

/** Creates a {@link RecordingOutbound}. */
export function createRecordingOutbound(): RecordingOutbound {
  const failures: Failure[] = [];
  const recording: RecordingOutbound = {
    sent: [],
    attempts: [],
    outbound: {
      async send(target, reply) {
        const at = Date.now();
        const failure = failures.shift();
        recording.attempts.push({ target, at, ok: !failure });
        if (failure) return failure;
        const delivery = { target, reply, at };
        recording.sent.push(delivery);
        recording.onDelivery?.(delivery);
        return { ok: true, messageIds: [String(recording.sent.length)] };
      },
    },
    failNext(times, failure = fail("send_failed", "the platform answered 500", { details: { permanent: false } })) {
      for (let index = 0; index < times; index += 1) failures.push(failure);
    },
    to: (key) => recording.sent.filter((delivery) => `${delivery.target.adapter}:${delivery.target.channelId}` === key),
    waitFor: (predicate, timeoutMs = 5000) =>
      waitUntil(
        () => predicate(recording.sent),
        timeoutMs,
        () =>
          `deliveries so far: ${JSON.stringify(recording.sent.map((d) => [`${d.target.adapter}:${d.target.channelId}`, d.reply.text]))}`,
      ),
  };
  return recording;
}

/** Polls `condition` every 10 ms until it holds; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  describe: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${describe() ? `; ${describe()}` : ""}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- a runtime with a notifier ----------------------------------------------------------------

/** The chat the in-memory tests configure as notify channel. */
export const MEMORY_OPS: ChatTarget = { adapter: "memory", channelId: "ops" };

/** A real runtime (watcher, planning service, outbound router) and a notifier over `dataDir`. */
export interface NotifyStack {
  runtime: Runtime;
  notifier: Notifier;
  /** Starts in planbot start's order: watcher, (adapters = the memory outbound), notifier. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link createNotifyStack}. */
export interface NotifyStackOptions {
  root: string;
  dataDir: string;
  /** Registered as adapter "memory" before the notifier starts; none = nothing registered. */
  memory?: RecordingOutbound;
  notifyTargets?: ChatTarget[];
  backoffMs?: number;
  maxBackoffMs?: number;
  env?: Record<string, string>;
  overrides?: RuntimeOverrides;
  log?: Logger;
}

/** The config planbot would load for `dataDir` (plus `env`), rooted at `root`. */
export function configFor(root: string, dataDir: string, env: Record<string, string> = {}) {
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dataDir, ...env }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.config;
}

/**
 * Builds the stack. The notifier is created like createRuntime does (same watcher, router,
 * planning chats and `canDeliverTo`), only with the given notify targets, because notifyTargets()
 * only knows Discord and Telegram.
 */
export function createNotifyStack(options: NotifyStackOptions): NotifyStack {
  const config = configFor(options.root, options.dataDir, options.env);
  const log = options.log ?? silentLogger;
  const runtime = createRuntime(config, log, options.overrides ?? {});
  const notifier = createNotifier({
    watcher: runtime.watcher,
    outbound: runtime.outbound,
    chatsForProject: (slug) => runtime.planning.chatsForProject(slug),
    canDeliverTo: (adapter) => runtime.outbound.has(adapter),
    notifyTargets: options.notifyTargets ?? [MEMORY_OPS],
    executeAt: config.execute.at,
    deliverySetup: runtime.services.delivery?.setup(),
    clock: runtime.core.clock,
    log,
    dataDir: config.dataDir,
    workspaceDir: config.workspaceDir,
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
  });
  let started = false;
  return {
    runtime,
    notifier,
    async start() {
      await runtime.watcher.start();
      runtime.onStop(() => runtime.watcher.stop());
      if (options.memory) {
        runtime.outbound.register("memory", options.memory.outbound);
        runtime.onStop(() => runtime.outbound.unregister("memory"));
      }
      await notifier.start();
      runtime.onStop(() => notifier.stop());
      started = true;
    },
    async stop() {
      if (!started) await runtime.watcher.stop();
      await runtime.stop();
    },
  };
}

/** Statuses of the watcher's current list, by slug. */
export function statuses(runtime: Runtime): Record<string, ProjectStatus> {
  return Object.fromEntries(runtime.watcher.current().list.projects.map((record) => [record.slug, record.status]));
}
