import { createRequire } from "node:module";
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/** How logs look: JSON lines (for files and log collectors) or one readable line each (for a person at a terminal). */
export type LogFormat = "json" | "pretty";

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

/** Hears the message of every error (or worse) logged, after redaction: a standalone chat tells its user. */
export type ProblemListener = (message: string) => void;

/** pino's number for `error`: lines at or above it reach a {@link ProblemListener}. */
const ERROR_LEVEL = 50;

/**
 * Creates the process logger, on stderr so stdout stays for command output. Secrets are redacted by path
 * and, in messages and errors, by shape, before any format sees them. `format` unset: readable lines when
 * stderr is a terminal (a person runs `npm start`), JSON lines otherwise (a service manager, a pipe, a file).
 * `onProblem` hears the message of each error line as well.
 */
export function createLogger(
  level = "info",
  destination: NodeJS.WritableStream | number = 2,
  format?: LogFormat,
  onProblem?: ProblemListener,
): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, lineLevel) {
          const scrubbed = args.map((arg) =>
            typeof arg === "string"
              ? scrubSecrets(arg)
              : arg instanceof Error
                ? Object.assign(arg, { message: scrubSecrets(arg.message) })
                : arg,
          );
          if (onProblem && lineLevel >= ERROR_LEVEL) onProblem(lineMessage(scrubbed));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    logDestination(destination, format),
  );
}

/** A log call's message: its text argument, or an error's message when it was given only an error. */
function lineMessage(args: unknown[]): string {
  const text = args.find((arg) => typeof arg === "string");
  if (typeof text === "string") return text;
  return args[0] instanceof Error ? args[0].message : "an error without a message";
}

/** Where the lines go, through pino-pretty when they are for a person. */
function logDestination(destination: NodeJS.WritableStream | number, format: LogFormat | undefined) {
  const toTerminal = destination === 2 && process.stderr.isTTY === true;
  if (format === "pretty" || (format === undefined && toTerminal)) return prettyStream(destination, toTerminal);
  return typeof destination === "number" ? pino.destination({ fd: destination, sync: true }) : destination;
}

/**
 * pino-pretty, loaded only here: a service writing JSON never carries it. Synchronous like the JSON
 * destination, so the last line before an exit is not lost; colours only on a terminal.
 */
function prettyStream(destination: NodeJS.WritableStream | number, colorize: boolean): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as (options: object) => DestinationStream;
  return pretty({
    destination,
    sync: true,
    colorize,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname",
  });
}

/** A logger that drops everything, for tests and benchmarks. */
export const silentLogger: Logger = pino({ level: "silent" });
