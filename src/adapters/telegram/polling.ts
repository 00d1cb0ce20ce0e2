import { autoRetry } from "@grammyjs/auto-retry";
import { run, type RunnerHandle, type RunOptions } from "@grammyjs/runner";
import { Bot, GrammyError, type ApiCallFn, type Transformer } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../log.ts";

/** Retry limits for Bot API calls (auto-retry's own defaults are unlimited). */
export interface RetryLimits {
  /** Retries after the first attempt, for 429 and 5xx (default 3). */
  maxRetryAttempts?: number;
  /** A 429 asking to wait longer than this fails at once as `rate_limited`, so a caller can reschedule (default 30). */
  maxDelaySeconds?: number;
}

/**
 * A grammY bot for the Bot API at `apiRoot` (Telegram's when undefined), with auto-retry for 429s and
 * 5xx. Network errors are not retried by auto-retry (it would retry them forever and hang sends and
 * shutdown): the runner retries its own polls, and a failed send surfaces as a retryable failure.
 */
export function createGrammyBot(token: string, apiRoot: string | undefined, retry: RetryLimits = {}): Bot {
  const bot = new Bot(token, apiRoot ? { client: { apiRoot } } : {});
  const retrying = autoRetry({
    maxRetryAttempts: retry.maxRetryAttempts ?? 3,
    maxDelaySeconds: retry.maxDelaySeconds ?? 30,
    rethrowHttpErrors: true,
  });
  // Nearly every call succeeds at once and passes with one reaction; auto-retry's two async layers run only
  // for a failed answer, which it takes as its first attempt and handles exactly as before (limits, waits).
  const retryFailures: Transformer = (prev, method, payload, signal) =>
    prev(method, payload, signal).then((first) =>
      first.ok ? first : retrying(answeredOnce(prev, first), method, payload, signal),
    );
  bot.api.config.use(retryFailures);
  return bot;
}

/** `prev` whose first call answers `first` (the attempt already made); later calls go out again. */
function answeredOnce(prev: ApiCallFn, first: Awaited<ReturnType<ApiCallFn>>): ApiCallFn {
  let replayed = false;
  return ((method, payload, signal) => {
    if (replayed) return prev(method, payload, signal);
    replayed = true;
    return Promise.resolve(first);
  }) as ApiCallFn;
}

/** The update types planbot reads; everything else is never fetched. */
const ALLOWED_UPDATES: ReadonlyArray<Exclude<keyof Update, "update_id">> = [
  "message",
  "edited_message",
  "callback_query",
];

/**
 * Long-polling settings for `@grammyjs/runner`, shared with the bench's bare bot so both run the same
 * way. Polls that fail are retried every second without a deadline: a network outage must not end
 * polling for good (only 401 and 409, which the runner treats as fatal, do).
 */
export function runnerOptions(pollTimeoutSeconds: number): RunOptions<Update> {
  return {
    runner: {
      fetch: { timeout: pollTimeoutSeconds, allowed_updates: ALLOWED_UPDATES },
      silent: true,
      maxRetryTime: Number.POSITIVE_INFINITY,
      retryInterval: 1000,
    },
  };
}

/**
 * Logs failed polls through pino (the runner itself is silenced, as it would print to the console). An
 * outage fails a poll every second, so only the first failure is a warning, the rest are debug lines,
 * and the first good poll after them says polling recovered.
 */
export function logPollFailures(bot: Bot, log: Logger): void {
  let failing = 0;
  const failed = (fields: Record<string, unknown>) => {
    failing += 1;
    if (failing === 1)
      log.warn({ adapter: "telegram", ...fields }, "telegram getUpdates failed; retrying every second");
    else log.debug({ adapter: "telegram", failures: failing, ...fields }, "telegram getUpdates failed again");
  };
  const watchedPoll: Transformer = async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok) failed({ code: result.error_code, description: result.description });
      else if (failing > 0) {
        log.info({ adapter: "telegram", failures: failing }, "telegram polling recovered");
        failing = 0;
      }
      return result;
    } catch (error) {
      if (!signal?.aborted) failed({ err: error });
      throw error;
    }
  };
  // Every other call passes straight through, not via an async function that would re-wrap its promise.
  bot.api.config.use((prev, method, payload, signal) =>
    method === "getUpdates" ? watchedPoll(prev, method, payload, signal) : prev(method, payload, signal),
  );
}

/** Long polling that started; `stop` ends it and any restart still pending. */
export interface Polling {
  stop(): Promise<void>;
}

/**
 * Long-polls with @grammyjs/runner. The runner gives up on 401 and 409 (another process polls with this
 * token). A 409 ends when the other process does, so polling starts again after `restartMs`; a revoked
 * token (401) needs a person, so it is logged and polling stays off.
 */
export function startPolling(
  bot: Bot,
  log: Logger,
  options: { pollTimeoutSeconds: number; restartMs: number },
): Polling {
  let handle: RunnerHandle | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const poll = () => {
    const current = run(bot, runnerOptions(options.pollTimeoutSeconds));
    handle = current;
    current.task()?.catch((error: unknown) => {
      if (stopped) return;
      const revoked = error instanceof GrammyError && error.error_code === 401;
      log.error(
        { adapter: "telegram", err: error },
        revoked
          ? "telegram polling stopped: the token was rejected; fix TELEGRAM_TOKEN and restart planbot"
          : "telegram polling stopped; starting it again shortly",
      );
      if (!revoked) restartTimer = setTimeout(poll, options.restartMs);
    });
  };
  poll();
  return {
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      if (handle?.isRunning()) await handle.stop();
    },
  };
}
