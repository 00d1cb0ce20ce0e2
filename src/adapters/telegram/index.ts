import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { GrammyError, type Bot as GrammyBot } from "grammy";
import type { Outbound } from "../../chat/outbound.ts";
import { fail } from "../../projects/result.ts";
import type { AdapterHost, RunningAdapter } from "../contract.ts";
import { createInFlight } from "../kit/in-flight.ts";
import { createTypingIndicators } from "../kit/typing.ts";
import { createCallbackCodec } from "./callback-data.ts";
import { telegramMenu } from "./command-menu.ts";
import { createHandlers } from "./handlers.ts";
import { createGrammyBot, logPollFailures, runnerOptions, type RetryLimits } from "./polling.ts";
import { parseTypingKey, sequenceKey, TELEGRAM, type BotIdentity } from "./routing.ts";
import { createTelegramSender, editTelegramMessage } from "./sender.ts";

/** Telegram shows a chat action for about 5 s; renewing every 4 s keeps "typing…" up without gaps. */
export const TYPING_INTERVAL_MS = 4000;

/** Knobs for tests and benches; production uses the defaults. */
export interface TelegramAdapterOptions {
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  retry?: RetryLimits;
  typingIntervalMs?: number;
  /** How long stop() waits for handlers still running (a planner turn can take minutes; default 10 s). */
  stopGraceMs?: number;
  /** Pause before polling starts again after the runner gave up (409 Conflict…; default 10 s). */
  pollRestartMs?: number;
}

/**
 * Starts the Telegram adapter (grammY): checks the token with getMe, publishes the command menu, long-polls
 * with @grammyjs/runner — updates of one chat (one forum topic) in order, different chats in parallel —
 * and registers the `telegram` Outbound so planner replies and notifications reach Telegram chats.
 * Throws only when start-up fails (bad token, unreachable API); after that, errors are logged, never fatal.
 */
export async function startTelegramAdapter(
  host: AdapterHost,
  options: TelegramAdapterOptions = {},
): Promise<RunningAdapter> {
  const { token, apiRoot } = host.config.telegram;
  if (!token) throw new Error("TELEGRAM_TOKEN is not set");
  // Every line carries adapter=telegram explicitly (not a child binding, which the modules' own fields would duplicate).
  const log = host.log;
  const bot = createGrammyBot(token, apiRoot, options.retry);
  logPollFailures(bot, log);
  const me = await identify(bot, apiRoot);

  await bot.api
    .deleteWebhook()
    .catch((error: unknown) =>
      log.warn(
        { adapter: TELEGRAM, err: error },
        "deleteWebhook failed; polling may be refused while a webhook is set",
      ),
    );
  const menu = telegramMenu(host.bot.registry);
  await bot.api
    .setMyCommands(menu)
    .catch((error: unknown) =>
      log.warn({ adapter: TELEGRAM, err: error }, "setMyCommands failed; the command menu is not updated"),
    );

  const codec = createCallbackCodec();
  const sender = createTelegramSender(bot.api, codec, log);
  const sendTyping = (key: string) => {
    const { chatId, threadId } = parseTypingKey(key);
    return bot.api.sendChatAction(chatId, "typing", threadId !== undefined ? { message_thread_id: threadId } : {});
  };
  const typing = createTypingIndicators(sendTyping, log, options.typingIntervalMs ?? TYPING_INTERVAL_MS);
  const handlers = createHandlers({ bot: host.bot, sender, typing, codec, me, log });

  const inFlight = createInFlight(TELEGRAM, log);
  bot.use(async (_ctx, next) => {
    const work = next();
    // grammY's bot.catch logs a failed update; the tracker only needs to know when it ends.
    inFlight.track(
      work.catch(() => undefined),
      "update",
    );
    await work;
  });
  bot.use(handlers.answerCallback);
  bot.use(sequentialize((ctx) => sequenceKey(ctx.msg)));
  bot.on("message:text", handlers.onText);
  bot.on("callback_query:data", handlers.onCallback);
  bot.catch((error) =>
    log.error({ adapter: TELEGRAM, err: error.error, update: error.ctx.update.update_id }, "telegram update failed"),
  );

  // The runner gives up on 401 and 409 (another process polls with this token). A 409 ends when the
  // other process does, so polling starts again after a pause; a revoked token (401) needs a person.
  let handle: RunnerHandle | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const startPolling = () => {
    const current = run(bot, runnerOptions(options.pollTimeoutSeconds ?? 30));
    handle = current;
    current.task()?.catch((error: unknown) => {
      if (stopped) return;
      const revoked = error instanceof GrammyError && error.error_code === 401;
      log.error(
        { adapter: TELEGRAM, err: error },
        revoked
          ? "telegram polling stopped: the token was rejected; fix TELEGRAM_TOKEN and restart planbot"
          : "telegram polling stopped; starting it again shortly",
      );
      if (!revoked) restartTimer = setTimeout(startPolling, options.pollRestartMs ?? 10_000);
    });
  };
  startPolling();

  const outbound: Outbound = {
    async send(target, reply) {
      const chatId = Number(target.channelId);
      const threadId = target.threadId === undefined ? undefined : Number(target.threadId);
      if (!Number.isSafeInteger(chatId) || (threadId !== undefined && !Number.isSafeInteger(threadId))) {
        return fail(
          "send_failed",
          `"${target.channelId}${target.threadId ? `/${target.threadId}` : ""}" is not a Telegram chat id.`,
          { details: { permanent: true } },
        );
      }
      return sender.send({ chatId, threadId }, reply);
    },
    async edit(target, messageId, reply) {
      const chatId = Number(target.channelId);
      const id = Number(messageId);
      if (!Number.isSafeInteger(chatId) || !Number.isSafeInteger(id))
        return fail("message_gone", `"${target.channelId}" / "${messageId}" is not a Telegram message.`);
      return editTelegramMessage(bot.api, codec, log, chatId, id, reply);
    },
  };
  host.outbound.register(TELEGRAM, outbound);
  log.info(
    { adapter: TELEGRAM, username: me.username, apiRoot: apiRoot ?? "https://api.telegram.org", commands: menu.length },
    `telegram: polling as @${me.username}`,
  );

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(restartTimer);
        host.outbound.unregister(TELEGRAM);
        if (handle?.isRunning()) await handle.stop();
        // The runner does not wait for handlers; give running ones a bounded chance to send their replies.
        await inFlight.idle(options.stopGraceMs ?? 10_000);
        typing.stopAll();
      })();
      return stopping;
    },
  };
}

/** getMe, once, with a start-up error a person can act on (grammY's own init would retry forever). */
async function identify(bot: GrammyBot, apiRoot: string | undefined): Promise<BotIdentity> {
  try {
    const me = await bot.api.getMe();
    bot.botInfo = me;
    return { id: me.id, username: me.username };
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 401)
      throw new Error("Telegram rejected TELEGRAM_TOKEN (401 Unauthorized); check the token from @BotFather.");
    throw new Error(
      `Could not reach the Telegram Bot API at ${apiRoot ?? "https://api.telegram.org"}: ${(error as Error).message}`,
    );
  }
}
