import { run, sequentialize } from "@grammyjs/runner";
import { GrammyError, type Bot as GrammyBot } from "grammy";
import type { Outbound } from "../../bot/outbound.ts";
import { telegramMenu } from "../../bot/command-surfaces.ts";
import { fail } from "../../projects/result.ts";
import type { RunningAdapter } from "../../runtime/adapter-catalog.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import { createCallbackCodec } from "./callback-data.ts";
import { createHandlers } from "./handlers.ts";
import { createGrammyBot, logPollFailures, runnerOptions, type RetryLimits } from "./polling.ts";
import { sequenceKey, TELEGRAM, type BotIdentity } from "./routing.ts";
import { createTelegramSender } from "./sender.ts";
import { createTypingIndicators, TYPING_INTERVAL_MS } from "./typing.ts";

/** Knobs for tests and benches; production uses the defaults. */
export interface TelegramAdapterOptions {
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  retry?: RetryLimits;
  typingIntervalMs?: number;
  /** How long stop() waits for handlers still running (a planner turn can take minutes; default 10 s). */
  stopGraceMs?: number;
}

/**
 * Starts the Telegram adapter (grammY): checks the token with getMe, publishes the command menu, long-polls
 * with @grammyjs/runner — updates of one chat (one forum topic) in order, different chats in parallel —
 * and registers the `telegram` Outbound so planner replies and notifications reach Telegram chats.
 * Throws only when start-up fails (bad token, unreachable API); after that, errors are logged, never fatal.
 */
export async function startTelegramAdapter(runtime: Runtime, options: TelegramAdapterOptions = {}): Promise<RunningAdapter> {
  const { token, apiRoot } = runtime.config.telegram;
  if (!token) throw new Error("TELEGRAM_TOKEN is not set");
  const log = runtime.log.child({ adapter: TELEGRAM });
  const bot = createGrammyBot(token, apiRoot, options.retry);
  logPollFailures(bot, log);
  const me = await identify(bot, apiRoot);

  await bot.api.deleteWebhook().catch((error: unknown) => log.warn({ err: error }, "deleteWebhook failed; polling may be refused while a webhook is set"));
  const menu = telegramMenu(runtime.bot.registry);
  await bot.api.setMyCommands(menu).catch((error: unknown) => log.warn({ err: error }, "setMyCommands failed; the command menu is not updated"));

  const codec = createCallbackCodec();
  const sender = createTelegramSender(bot.api, codec, log);
  const typing = createTypingIndicators(bot.api, log, options.typingIntervalMs ?? TYPING_INTERVAL_MS);
  const handlers = createHandlers({ bot: runtime.bot, registry: runtime.bot.registry, sender, typing, codec, me, log });

  const inFlight = new Set<Promise<unknown>>();
  bot.use(async (_ctx, next) => {
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });
  bot.use(handlers.answerCallback);
  bot.use(sequentialize((ctx) => sequenceKey(ctx.msg)));
  bot.on("message:text", handlers.onText);
  bot.on("callback_query:data", handlers.onCallback);
  bot.catch((error) => log.error({ err: error.error, update: error.ctx.update.update_id }, "telegram update failed"));

  const handle = run(bot, runnerOptions(options.pollTimeoutSeconds ?? 30));
  handle.task()?.catch((error: unknown) => log.error({ err: error }, "telegram polling stopped; restart planbot once the cause is fixed"));

  const outbound: Outbound = {
    async send(target, reply) {
      const chatId = Number(target.channelId);
      const threadId = target.threadId === undefined ? undefined : Number(target.threadId);
      if (!Number.isSafeInteger(chatId) || (threadId !== undefined && !Number.isSafeInteger(threadId))) {
        return fail("send_failed", `"${target.channelId}${target.threadId ? `/${target.threadId}` : ""}" is not a Telegram chat id.`, { details: { permanent: true } });
      }
      return sender.send({ chatId, threadId }, reply);
    },
  };
  runtime.outbound.register(TELEGRAM, outbound);
  log.info({ username: me.username, apiRoot: apiRoot ?? "https://api.telegram.org", commands: menu.length }, "telegram polling");

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        runtime.outbound.unregister(TELEGRAM);
        if (handle.isRunning()) await handle.stop();
        // The runner does not wait for handlers; give running ones a bounded chance to send their replies.
        const grace = new Promise<void>((resolve) => setTimeout(resolve, options.stopGraceMs ?? 10_000).unref());
        await Promise.race([Promise.allSettled([...inFlight]), grace]);
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
    if (error instanceof GrammyError && error.error_code === 401) throw new Error("Telegram rejected TELEGRAM_TOKEN (401 Unauthorized); check the token from @BotFather.");
    throw new Error(`Could not reach the Telegram Bot API at ${apiRoot ?? "https://api.telegram.org"}: ${(error as Error).message}`);
  }
}
