import pino, { type Logger } from "pino";

export type { Logger };

/** Paths pino blanks out: anything that can carry a bot token or the dashboard secret. */
const REDACT = [
  "token",
  "*.token",
  "*.*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "config.discord.token",
  "config.telegram.token",
  "config.dashboard.token",
  "config.execute.delivery.github.token",
  "execute.delivery.github.token",
];

/** Token-shaped strings that can hide inside URLs and error messages (Telegram's /bot<token>/ path, GitHub's ghp_…/github_pat_…). */
const TOKEN_IN_TEXT =
  /(bot)?\d{6,}:[A-Za-z0-9_-]{20,}|[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}/g;

/** Removes token-shaped substrings from free text before it is logged. */
export function scrubSecrets(text: string): string {
  return text.replace(TOKEN_IN_TEXT, "[redacted]");
}

/**
 * Creates the process logger (JSON lines on stderr so stdout stays for command output). Secrets are
 * redacted by path and, in messages and errors, by shape.
 */
export function createLogger(level = "info", destination: NodeJS.WritableStream | number = 2): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) =>
            typeof arg === "string"
              ? scrubSecrets(arg)
              : arg instanceof Error
                ? Object.assign(arg, { message: scrubSecrets(arg.message) })
                : arg,
          );
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    typeof destination === "number" ? pino.destination({ fd: destination, sync: true }) : destination,
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export const silentLogger: Logger = pino({ level: "silent" });
