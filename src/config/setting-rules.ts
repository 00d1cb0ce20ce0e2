/**
 * The rule of each environment variable planbot reads (README, "Configuration"), as one zod schema per
 * variable that is built the first time a set value needs it. Building all of them as one object schema
 * cost a one-shot command like `planbot projects list` about 16 ms of its start-up, while a typical
 * environment sets only a few of the variables: an unset one needs no rule, since `src/config.ts` applies
 * its default.
 */
import { z } from "zod";

/** Builds a schema the first time it is asked for, then hands out the same one. */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

/** Trimmed text; empty is unset. */
const optionalText = once(() =>
  z
    .string()
    .trim()
    .transform((value) => (value === "" ? undefined : value))
    .optional(),
);

const commaList = once(() =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    ),
);

const identityList = once(() =>
  commaList().pipe(
    z.array(
      z
        .string()
        .regex(/^[a-z]+:[^\s:,]+$/, "each entry must look like adapter:userId, e.g. discord:123456789012345678"),
    ),
  ),
);

/** Text that, when set, must match `pattern` (zod's own wording names no way out: `message` says what is valid). */
function matching(pattern: RegExp, message: string) {
  return () => optionalText().pipe(z.string().regex(pattern, message).optional());
}

function url() {
  return optionalText().pipe(z.url().optional());
}

/** Minutes with decimals (`0.5` is 30 s); `0` turns the guard off (null). */
function minutesOrOff() {
  return optionalText().pipe(
    z.coerce
      .number<string | undefined>({ error: "must be a number of minutes, 0 to turn it off" })
      .nonnegative("must be a number of minutes, 0 to turn it off")
      .transform((value) => (value === 0 ? null : value))
      .optional(),
  );
}

const PORT_RULE = "must be a port number from 0 to 65535 (0 = any free port)";
function port() {
  return optionalText().pipe(
    z.coerce
      .number<string | undefined>({ error: PORT_RULE })
      .int(PORT_RULE)
      .min(0, PORT_RULE)
      .max(65535, PORT_RULE)
      .optional(),
  );
}

const POSITIVE_RULE = "must be a whole number, 1 or more";
function positiveInt() {
  return optionalText().pipe(
    z.coerce.number<string | undefined>({ error: POSITIVE_RULE }).int(POSITIVE_RULE).positive(POSITIVE_RULE).optional(),
  );
}

const STALL_RETRIES_RULE = "must be a whole number from 0 to 5";
function stallRetries() {
  return optionalText().pipe(
    z.coerce
      .number<string | undefined>({ error: STALL_RETRIES_RULE })
      .int(STALL_RETRIES_RULE)
      .min(0, STALL_RETRIES_RULE)
      .max(5, STALL_RETRIES_RULE)
      .optional(),
  );
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, message?: string) {
  return () => optionalText().pipe(z.enum(values, message).optional());
}

/**
 * Each variable's rule, in the order the configuration has always checked them: with several bad values,
 * the first one here is the one reported. An unset variable is never parsed; its default lives in `src/config.ts`.
 */
export const SETTING_RULES = {
  PLANBOT_DATA_DIR: optionalText,
  PLANBOT_WORKSPACE_DIR: optionalText,
  PLANBOT_ADMINS: identityList,
  PLANBOT_MEMBERS: identityList,
  DISCORD_TOKEN: optionalText,
  DISCORD_GUILD_ID: matching(/^\d+$/, "must be a numeric Discord id"),
  DISCORD_NOTIFY_CHANNEL_ID: matching(/^\d+$/, "must be a numeric Discord channel id"),
  DISCORD_API_URL: url,
  TELEGRAM_TOKEN: optionalText,
  TELEGRAM_NOTIFY_CHAT_ID: matching(/^-?\d+$/, "must be a numeric Telegram chat id"),
  TELEGRAM_NOTIFY_THREAD_ID: matching(/^\d+$/, "must be a numeric topic id"),
  TELEGRAM_API_ROOT: url,
  DASHBOARD_HOST: optionalText,
  DASHBOARD_PORT: port,
  DASHBOARD_TOKEN: optionalText,
  DASHBOARD_ORIGINS: commaList,
  PLANNER_COMMAND: optionalText,
  PLANNER_TIMEOUT_S: positiveInt,
  PLANNER_MAX_PARALLEL: positiveInt,
  RALPH_COMMAND: optionalText,
  GIT_REMOTE_BASE: optionalText,
  EXECUTE_AT: matching(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour), e.g. 02:30"),
  EXECUTE_PARALLEL: positiveInt,
  PUSH_ON: oneOf(["complete", "any", "never"], "must be complete, any or never"),
  GITHUB_TOKEN: optionalText,
  GITHUB_OWNER: matching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user or organisation name"),
  GITHUB_API_URL: url,
  PLANBOT_QUEUE_URL: matching(
    /^rediss?:\/\/[^\s]+$/,
    "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
  ),
  WORKER_CONCURRENCY: positiveInt,
  QUEUE_LOCK_MS: positiveInt,
  QUEUE_STALL_RETRIES: stallRetries,
  RALPH_MAX_MINUTES: minutesOrOff,
  RALPH_STALL_MINUTES: minutesOrOff,
  PROGRESS_EDIT_SECONDS: () =>
    optionalText().pipe(
      z.coerce
        .number<string | undefined>({ error: "must be a number of seconds, at least 0.2" })
        .min(0.2, "must be a number of seconds, at least 0.2")
        .optional(),
    ),
  LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  LOG_FORMAT: oneOf(["json", "pretty"], "must be json or pretty"),
} as const;

export type SettingName = keyof typeof SETTING_RULES;

/** Each variable's value after its rule; undefined when unset or empty. */
export type SettingValues = { [K in SettingName]: z.output<ReturnType<(typeof SETTING_RULES)[K]>> | undefined };

const built = new Map<SettingName, z.ZodType>();

/** The schema of one variable, built on first use and kept for the next configuration read. */
export function settingRule(name: SettingName): z.ZodType {
  let rule = built.get(name);
  if (!rule) {
    rule = SETTING_RULES[name]() as z.ZodType;
    built.set(name, rule);
  }
  return rule;
}

/** The variables whose rule has been built so far, in build order (the start-up test reads it). */
export function builtSettingRules(): SettingName[] {
  return [...built.keys()];
}
