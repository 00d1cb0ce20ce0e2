import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import type { DeliverySettings } from "./config/delivery-settings.ts";
import type { QueueSettings } from "./config/queue-settings.ts";
import { SETTING_RULES, type SettingName, type SettingValues, settingRule } from "./config/setting-rules.ts";
import { fail, type Result } from "./projects/result.ts";
import type { LogFormat } from "./log.ts";

/** Every variable the configuration reads (README, "Configuration"), for naming a misspelt one. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(SETTING_RULES);

/** RALPH_MAX_MINUTES, RALPH_STALL_MINUTES (null = off) and PROGRESS_EDIT_SECONDS. */
export interface ProgressSettings {
  maxMinutes: number | null;
  stallMinutes: number | null;
  /** Least time between two edits of one progress message; runs are sampled at least this often (at most every 3 s). */
  editIntervalSeconds: number;
}

/** planbot's configuration, with paths resolved and defaults applied. */
export interface Config {
  dataDir: string;
  workspaceDir: string;
  admins: string[];
  members: string[];
  discord: { token?: string; guildId?: string; notifyChannelId?: string; apiUrl?: string };
  telegram: { token?: string; notifyChatId?: string; notifyThreadId?: string; apiRoot?: string };
  dashboard: { host: string; port: number; token?: string; origins: string[] };
  planner: { command: string; timeoutSeconds: number; maxParallel: number };
  execute: { ralphCommand: string; gitRemoteBase?: string; at?: string; parallel: number; delivery?: DeliverySettings };
  /** Live run progress and the run guard (README, "Live progress" and "Run guardrails"). */
  progress: ProgressSettings;
  /** The BullMQ job queue (issue 19); absent: Ralph runs on this machine. See src/config/queue-settings.ts. */
  queue?: QueueSettings;
  logLevel: string;
  /** LOG_FORMAT; unset: readable lines on a terminal, JSON lines otherwise (src/log.ts). */
  logFormat?: LogFormat;
}

/**
 * Reads the environment, plus a `.env` file in `cwd` for variables the environment does not set.
 * A bad value is one failure naming the variable and the rule, so start-up can stop with one clear line.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Result<{ config: Config }> {
  let merged: Record<string, string | undefined> = { ...env };
  const envFile = join(cwd, ".env");
  try {
    const fromFile = parseEnv(readFileSync(envFile, "utf8"));
    merged = { ...fromFile, ...env };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      return fail("usage", `Could not read ${envFile}: ${(error as Error).message}`);
    }
  }
  const read = readSettings(merged);
  if (!read.ok) return read;
  const e = read.values;
  const dataDir = resolve(cwd, e.PLANBOT_DATA_DIR ?? "data");
  const workspaceDir = e.PLANBOT_WORKSPACE_DIR
    ? isAbsolute(e.PLANBOT_WORKSPACE_DIR)
      ? e.PLANBOT_WORKSPACE_DIR
      : resolve(cwd, e.PLANBOT_WORKSPACE_DIR)
    : join(dataDir, "workspace");
  return {
    ok: true,
    config: {
      dataDir,
      workspaceDir,
      admins: e.PLANBOT_ADMINS ?? [],
      members: e.PLANBOT_MEMBERS ?? [],
      discord: clean({
        token: e.DISCORD_TOKEN,
        guildId: e.DISCORD_GUILD_ID,
        notifyChannelId: e.DISCORD_NOTIFY_CHANNEL_ID,
        apiUrl: e.DISCORD_API_URL,
      }),
      telegram: clean({
        token: e.TELEGRAM_TOKEN,
        notifyChatId: e.TELEGRAM_NOTIFY_CHAT_ID,
        notifyThreadId: e.TELEGRAM_NOTIFY_THREAD_ID,
        apiRoot: e.TELEGRAM_API_ROOT?.replace(/\/+$/, ""),
      }),
      dashboard: clean({
        host: e.DASHBOARD_HOST ?? "127.0.0.1",
        port: e.DASHBOARD_PORT ?? 8088,
        token: e.DASHBOARD_TOKEN,
        origins: e.DASHBOARD_ORIGINS ?? [],
      }),
      planner: {
        command: e.PLANNER_COMMAND ?? "claude",
        timeoutSeconds: e.PLANNER_TIMEOUT_S ?? 900,
        maxParallel: e.PLANNER_MAX_PARALLEL ?? 4,
      },
      execute: clean({
        ralphCommand: e.RALPH_COMMAND ?? "scripts/ralph/ralph.sh --tool claude 10",
        gitRemoteBase: e.GIT_REMOTE_BASE,
        at: e.EXECUTE_AT,
        parallel: e.EXECUTE_PARALLEL ?? 1,
        delivery: {
          pushOn: e.PUSH_ON ?? "complete",
          github: clean({
            token: e.GITHUB_TOKEN,
            owner: e.GITHUB_OWNER,
            apiUrl: e.GITHUB_API_URL?.replace(/\/+$/, ""),
          }),
        },
      }),
      progress: {
        maxMinutes: e.RALPH_MAX_MINUTES === undefined ? 480 : e.RALPH_MAX_MINUTES,
        stallMinutes: e.RALPH_STALL_MINUTES === undefined ? 30 : e.RALPH_STALL_MINUTES,
        editIntervalSeconds: e.PROGRESS_EDIT_SECONDS ?? 5,
      },
      ...(e.PLANBOT_QUEUE_URL
        ? {
            queue: {
              url: e.PLANBOT_QUEUE_URL,
              concurrency: e.WORKER_CONCURRENCY ?? 1,
              lockMs: e.QUEUE_LOCK_MS ?? 30_000,
              stallRetries: e.QUEUE_STALL_RETRIES ?? 0,
            },
          }
        : {}),
      logLevel: e.LOG_LEVEL ?? "info",
      ...(e.LOG_FORMAT ? { logFormat: e.LOG_FORMAT } : {}),
    },
  };
}

/**
 * Applies each set variable's rule (src/config/setting-rules.ts) in the README's order; an unset one stays
 * undefined and gets its default above. The first bad value is one failure naming the variable and the rule.
 */
function readSettings(merged: Record<string, string | undefined>): Result<{ values: SettingValues }> {
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const variable of Object.keys(SETTING_RULES) as SettingName[]) {
    const value = merged[variable];
    if (value === undefined) continue;
    const parsed = settingRule(variable).safeParse(value);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? "is not valid";
      const shown = ` (got "${/TOKEN/.test(variable) ? "…" : value.slice(0, 60)}")`;
      return fail("usage", `Invalid ${variable}${shown}: ${message}`, { fields: { [variable]: message } });
    }
    values[variable] = parsed.data;
  }
  return { ok: true, values: values as SettingValues };
}

/** Drops undefined values so optional fields stay absent (exactOptionalPropertyTypes-friendly). */
function clean<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
