import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import type { DeliverySettings } from "./config/delivery-settings.ts";
import type { QueueSettings } from "./config/queue-settings.ts";
import { fail, type Result } from "./projects/result.ts";
import type { LogFormat } from "./log.ts";

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );

const identityList = commaList.pipe(
  z.array(
    z.string().regex(/^[a-z]+:[^\s:,]+$/, "each entry must look like adapter:userId, e.g. discord:123456789012345678"),
  ),
);

/** Minutes with decimals (`0.5` is 30 s); `0` turns the guard off (null). */
const minutesOrOff = z.coerce
  .number<string | undefined>({ error: "must be a number of minutes, 0 to turn it off" })
  .nonnegative("must be a number of minutes, 0 to turn it off")
  .transform((value) => (value === 0 ? null : value));

// zod's own wording ("expected number, received NaN") names no way out: each rule says what a valid value is.
const PORT_RULE = "must be a port number from 0 to 65535 (0 = any free port)";
const port = z.coerce
  .number<string | undefined>({ error: PORT_RULE })
  .int(PORT_RULE)
  .min(0, PORT_RULE)
  .max(65535, PORT_RULE);
const POSITIVE_RULE = "must be a whole number, 1 or more";
const positiveInt = z.coerce
  .number<string | undefined>({ error: POSITIVE_RULE })
  .int(POSITIVE_RULE)
  .positive(POSITIVE_RULE);

/** The environment planbot reads (README, "Configuration"; docs/architecture.md, "Contracts"), validated once at start. */
const EnvSchema = z.object({
  PLANBOT_DATA_DIR: optionalText,
  PLANBOT_WORKSPACE_DIR: optionalText,
  PLANBOT_ADMINS: identityList,
  PLANBOT_MEMBERS: identityList,
  DISCORD_TOKEN: optionalText,
  DISCORD_GUILD_ID: optionalText.pipe(z.string().regex(/^\d+$/, "must be a numeric Discord id").optional()),
  DISCORD_NOTIFY_CHANNEL_ID: optionalText.pipe(
    z.string().regex(/^\d+$/, "must be a numeric Discord channel id").optional(),
  ),
  DISCORD_API_URL: optionalText.pipe(z.url().optional()),
  TELEGRAM_TOKEN: optionalText,
  TELEGRAM_NOTIFY_CHAT_ID: optionalText.pipe(
    z
      .string()
      .regex(/^-?\d+$/, "must be a numeric Telegram chat id")
      .optional(),
  ),
  TELEGRAM_NOTIFY_THREAD_ID: optionalText.pipe(z.string().regex(/^\d+$/, "must be a numeric topic id").optional()),
  TELEGRAM_API_ROOT: optionalText.pipe(z.url().optional()),
  DASHBOARD_HOST: optionalText.default("127.0.0.1"),
  DASHBOARD_PORT: optionalText.pipe(port.optional()).default(8088),
  DASHBOARD_TOKEN: optionalText,
  DASHBOARD_ORIGINS: commaList,
  PLANNER_COMMAND: optionalText.default("claude"),
  PLANNER_TIMEOUT_S: optionalText.pipe(positiveInt.optional()).default(900),
  PLANNER_MAX_PARALLEL: optionalText.pipe(positiveInt.optional()).default(4),
  RALPH_COMMAND: optionalText.default("scripts/ralph/ralph.sh --tool claude 10"),
  GIT_REMOTE_BASE: optionalText,
  EXECUTE_AT: optionalText.pipe(
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour), e.g. 02:30")
      .optional(),
  ),
  EXECUTE_PARALLEL: optionalText.pipe(positiveInt.optional()).default(1),
  PUSH_ON: optionalText
    .pipe(z.enum(["complete", "any", "never"], "must be complete, any or never").optional())
    .default("complete"),
  GITHUB_TOKEN: optionalText,
  GITHUB_OWNER: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user or organisation name")
      .optional(),
  ),
  GITHUB_API_URL: optionalText.pipe(z.url().optional()),
  PLANBOT_QUEUE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379")
      .optional(),
  ),
  WORKER_CONCURRENCY: optionalText.pipe(positiveInt.optional()).default(1),
  QUEUE_LOCK_MS: optionalText.pipe(positiveInt.optional()).default(30_000),
  QUEUE_STALL_RETRIES: optionalText
    .pipe(
      z.coerce
        .number<string | undefined>({ error: "must be a whole number from 0 to 5" })
        .int("must be a whole number from 0 to 5")
        .min(0, "must be a whole number from 0 to 5")
        .max(5, "must be a whole number from 0 to 5")
        .optional(),
    )
    .default(0),
  RALPH_MAX_MINUTES: optionalText.pipe(minutesOrOff.optional()).default(480),
  RALPH_STALL_MINUTES: optionalText.pipe(minutesOrOff.optional()).default(30),
  PROGRESS_EDIT_SECONDS: optionalText
    .pipe(
      z.coerce
        .number<string | undefined>({ error: "must be a number of seconds, at least 0.2" })
        .min(0.2, "must be a number of seconds, at least 0.2")
        .optional(),
    )
    .default(5),
  LOG_LEVEL: optionalText
    .pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional())
    .default("info"),
  LOG_FORMAT: optionalText.pipe(z.enum(["json", "pretty"], "must be json or pretty").optional()),
});

/** Every variable the configuration reads (README, "Configuration"), for naming a misspelt one. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

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
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const value = merged[variable];
    const shown = value === undefined ? "" : ` (got "${/TOKEN/.test(variable) ? "…" : String(value).slice(0, 60)}")`;
    return fail("usage", `Invalid ${variable}${shown}: ${issue.message}`, { fields: { [variable]: issue.message } });
  }
  const e = parsed.data;
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
      admins: e.PLANBOT_ADMINS,
      members: e.PLANBOT_MEMBERS,
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
        origins: e.DASHBOARD_ORIGINS,
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

/** Drops undefined values so optional fields stay absent (exactOptionalPropertyTypes-friendly). */
function clean<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
