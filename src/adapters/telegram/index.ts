import { GrammyError, type Bot as GrammyBot } from "grammy";
import type { AdapterHost, RunningAdapter } from "../contract.ts";
import { createInFlight } from "../kit/in-flight.ts";
import { createKeyedQueues } from "../kit/keyed-queue.ts";
import { createQuickLanes } from "../kit/quick-lanes.ts";
import { createTypingIndicators } from "../kit/typing.ts";
import { createCallbackCodec } from "./callback-data.ts";
import { telegramMenu } from "./command-menu.ts";
import { createEditHandler } from "./edited-message.ts";
import { createHandlers } from "./handlers.ts";
import { createGrammyBot, logPollFailures, startPolling, type RetryLimits } from "./polling.ts";
import { parseTypingKey, sequenceKey, TELEGRAM, type BotIdentity } from "./routing.ts";
import { createTelegramSender } from "./sender.ts";
import { createTelegramOutbound } from "./telegram-outbound.ts";

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
  // One chat (one forum topic) at a time, in order; a quiet chat's update starts at once (keyed-queue.ts),
  // where the runner's sequentialize spent several promise hops on every update. A quick command does not
  // wait behind a planner turn: it takes the chat's quick lane while other work is queued (kit/quick-lanes.ts).
  const chatOrder = createKeyedQueues();
  const lanes = createQuickLanes(host.bot);
  bot.use(async (ctx, next) => {
    const key = sequenceKey(ctx.msg);
    if (key === undefined) return next();
    const entered = lanes.enter(key, ctx.message?.text);
    try {
      await chatOrder.run(entered.lane, next);
    } finally {
      entered.leave();
    }
  });
  bot.on("message:text", handlers.onText);
  bot.on("callback_query:data", handlers.onCallback);
  bot.on("edited_message:text", createEditHandler({ bot: host.bot, sender, me, log }));
  bot.catch((error) =>
    log.error({ adapter: TELEGRAM, err: error.error, update: error.ctx.update.update_id }, "telegram update failed"),
  );

  const polling = startPolling(bot, log, {
    pollTimeoutSeconds: options.pollTimeoutSeconds ?? 30,
    restartMs: options.pollRestartMs ?? 10_000,
  });

  host.outbound.register(TELEGRAM, createTelegramOutbound(bot.api, sender, codec, log));
  log.info(
    { adapter: TELEGRAM, username: me.username, apiRoot: apiRoot ?? "https://api.telegram.org", commands: menu.length },
    `telegram: polling as @${me.username}`,
  );

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        host.outbound.unregister(TELEGRAM);
        await polling.stop();
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
