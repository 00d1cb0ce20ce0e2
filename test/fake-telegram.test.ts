import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Bot, GrammyError, InlineKeyboard } from "grammy";
import type { Message } from "grammy/types";
import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { autoRetry } from "@grammyjs/auto-retry";
import {
  parseHtml,
  parseMarkdownV2,
  startFakeTelegram,
  type FakeChat,
  type FakeTelegram,
  type FakeUser,
} from "./fakes/telegram/index.ts";

const alice: FakeUser = { id: 5001, first_name: "Alice", username: "alice" };
const bob: FakeUser = { id: 5002, first_name: "Bob" };
const aliceChat: FakeChat = { id: alice.id, type: "private" };
const group: FakeChat = { id: -4001, type: "group", title: "Team" };
const forum: FakeChat = { id: -1004002, type: "supergroup", title: "Projects", is_forum: true };

let fake: FakeTelegram;
let cleanups: Array<() => Promise<unknown>> = [];
let botErrors: unknown[] = [];

beforeEach(async () => {
  fake = await startFakeTelegram({ longPollMaxMs: 500 });
  cleanups = [];
  botErrors = [];
});

afterEach(async () => {
  // Stop bots/runners before the fake goes away, newest first; then drop every connection.
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
  expect(botErrors).toEqual([]);
});

function makeBot(opts: { botInfo?: boolean } = {}): Bot {
  const bot = new Bot(fake.token, {
    client: { apiRoot: fake.apiRoot },
    ...(opts.botInfo ? { botInfo: fake.botInfo } : {}),
  });
  bot.catch((err) => {
    botErrors.push(err.error);
  });
  return bot;
}

/** bot.start({timeout}); resolves once polling began (with the start() promise wrapped, so it is not awaited); stop is registered for afterEach. */
async function startPolling(bot: Bot, timeout = 1): Promise<{ done: Promise<void> }> {
  let started!: () => void;
  const onStart = new Promise<void>((r) => (started = r));
  const done = bot.start({ timeout, onStart: () => started() });
  done.catch((err: unknown) => botErrors.push(err));
  cleanups.push(async () => {
    if (bot.isRunning()) await bot.stop();
    await done.catch(() => {});
  });
  await onStart;
  return { done };
}

function startRunner(bot: Bot): RunnerHandle {
  const handle = run(bot, { runner: { fetch: { timeout: 1 }, silent: true } });
  cleanups.push(async () => {
    await handle.stop();
  });
  return handle;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Awaits a promise that must reject with a GrammyError and returns it. */
async function apiError(p: Promise<unknown>): Promise<GrammyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrammyError) return err;
    throw err;
  }
  throw new Error("expected the Bot API call to fail");
}

describe("fake Telegram with the real grammY Bot", () => {
  it("bot.start: a message reaches the handler and ctx.reply is recorded", async () => {
    const bot = makeBot();
    const seen = deferred<Message>();
    bot.on("message:text", async (ctx) => {
      seen.resolve(ctx.message);
      await ctx.reply(`echo: ${ctx.message.text}`);
    });
    await startPolling(bot);
    const injected = fake.sendMessage({ chat: aliceChat, from: alice, text: "hello" });

    const received = await seen.promise;
    expect(received.message_id).toBe(injected.message_id);
    expect(received.chat).toEqual({ id: alice.id, type: "private", first_name: "Alice", username: "alice" });
    expect(received.from).toEqual({ id: alice.id, is_bot: false, first_name: "Alice", username: "alice" });

    const call = await fake.waitForCall("sendMessage");
    expect(call.ok).toBe(true);
    expect(call.params).toMatchObject({ chat_id: alice.id, text: "echo: hello" });
    expect((call.result as Message).from?.id).toBe(fake.botInfo.id);
    expect((call.result as Message).message_id).toBe(injected.message_id + 1);
    expect(fake.sentMessages(alice.id).map((m) => m.text)).toEqual(["echo: hello"]);
    expect(
      fake.calls
        .slice(0, 2)
        .map((c) => c.method)
        .sort(),
    ).toEqual(["deleteWebhook", "getMe"]);
    expect(fake.calls.some((c) => c.method === "getUpdates")).toBe(false);
    expect(fake.pollCalls.length).toBeGreaterThan(0);
  });

  it("runner + sequentialize: commands work and a reply to a bot message carries reply_to_message.from = bot", async () => {
    const bot = makeBot();
    bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
    const replied = deferred<Message>();
    bot.command("start", (ctx) => ctx.reply("Welcome"));
    bot.on("message:text", (ctx) => {
      if (ctx.message.reply_to_message) replied.resolve(ctx.message);
    });
    startRunner(bot);

    fake.sendMessage({ chat: group, from: alice, text: "/start@planbot_test_bot" });
    const welcome = await fake.waitForCall("sendMessage", (c) => c.ok);
    expect(welcome.params).toMatchObject({ chat_id: group.id, text: "Welcome" });
    const botMessage = welcome.result as Message;

    fake.sendMessage({ chat: group, from: bob, text: "sounds good", replyToMessageId: botMessage.message_id });
    const msg = await replied.promise;
    expect(msg.reply_to_message?.message_id).toBe(botMessage.message_id);
    expect(msg.reply_to_message?.from?.id).toBe(fake.botInfo.id);
    expect(msg.reply_to_message?.from?.is_bot).toBe(true);
    expect(msg.reply_to_message?.text).toBe("Welcome");
    expect(msg.chat).toEqual({ id: group.id, type: "group", title: "Team" });
  });

  it("forum topics: topic messages have is_topic_message and ctx.reply stays in the thread", async () => {
    const bot = makeBot();
    const topicCreated = deferred<Message>();
    const inTopic = deferred<Message>();
    bot.on("message:forum_topic_created", (ctx) => topicCreated.resolve(ctx.message));
    bot.on("message:text", async (ctx) => {
      inTopic.resolve(ctx.message);
      await ctx.reply("on it");
    });
    await startPolling(bot);

    const { threadId } = fake.createForumTopic(forum, "planbot");
    expect((await topicCreated.promise).message_thread_id).toBe(threadId);
    fake.sendMessage({ chat: forum, from: alice, text: "plan the thing", threadId });

    const m = await inTopic.promise;
    expect(m.is_topic_message).toBe(true);
    expect(m.message_thread_id).toBe(threadId);
    // the topic-creation message, not a reply to the bot:
    expect(m.reply_to_message?.message_id).toBe(threadId);
    expect(m.reply_to_message?.forum_topic_created?.name).toBe("planbot");
    expect(m.chat).toMatchObject({ id: forum.id, type: "supergroup", is_forum: true });

    const call = await fake.waitForCall("sendMessage", (c) => c.ok);
    expect(call.params.message_thread_id).toBe(threadId);
    expect((call.result as Message).is_topic_message).toBe(true);
    expect(fake.sentMessages(forum.id, threadId).map((s) => s.text)).toEqual(["on it"]);

    // The bot's own createForumTopic works too, and the new thread accepts messages.
    const topic = await bot.api.createForumTopic(forum.id, "from the bot");
    expect(topic).toMatchObject({ name: "from the bot", icon_color: 7322096 });
    expect(topic.message_thread_id).toBeGreaterThan(threadId);
    const sent = await bot.api.sendMessage(forum.id, "first post", { message_thread_id: topic.message_thread_id });
    expect(sent.message_thread_id).toBe(topic.message_thread_id);
    expect(fake.sentMessages(forum.id, topic.message_thread_id).map((s) => s.text)).toEqual(["first post"]);
    expect(fake.sentMessages(forum.id)).toHaveLength(2);
  });

  it("callback queries reach bot.callbackQuery; answerCallbackQuery and edits are recorded", async () => {
    const bot = makeBot();
    const clicked = deferred<string>();
    bot.command("menu", (ctx) =>
      ctx.reply("Pick one", { reply_markup: new InlineKeyboard().text("Approve", "approve:42") }),
    );
    bot.callbackQuery(/^approve:(\d+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Approved" });
      await ctx.editMessageText("<b>Approved</b> ✅", { parse_mode: "HTML" });
      clicked.resolve(ctx.match[1] ?? "");
    });
    await startPolling(bot);

    fake.sendMessage({ chat: aliceChat, from: alice, text: "/menu" });
    const menu = (await fake.waitForCall("sendMessage", (c) => c.ok)).result as Message;
    const { callbackQueryId } = fake.clickButton({
      chat: aliceChat,
      from: alice,
      messageId: menu.message_id,
      data: "approve:42",
    });
    expect(await clicked.promise).toBe("42");

    const answer = await fake.waitForCall("answerCallbackQuery");
    expect(answer.ok).toBe(true);
    expect(answer.params).toMatchObject({ callback_query_id: callbackQueryId, text: "Approved" });
    expect(fake.sentMessages(alice.id).map((s) => [s.kind, s.plain_text, s.reply_markup])).toEqual([
      ["sent", "Pick one", { inline_keyboard: [[{ text: "Approve", callback_data: "approve:42" }]] }],
      ["edited", "Approved ✅", undefined], // editMessageText without reply_markup drops the keyboard
    ]);
    expect(fake.getMessage(alice.id, menu.message_id)).toMatchObject({
      text: "Approved ✅",
      entities: [{ type: "bold", offset: 0, length: 8 }],
    });

    expect((await apiError(bot.api.answerCallbackQuery(callbackQueryId))).description).toMatch(/query is too old/);
    const same = await apiError(
      bot.api.editMessageText(alice.id, menu.message_id, "<b>Approved</b> ✅", { parse_mode: "HTML" }),
    );
    expect(same.description).toMatch(/^Bad Request: message is not modified/);
    expect(() =>
      fake.clickButton({ chat: aliceChat, from: alice, messageId: menu.message_id, data: "approve:42" }),
    ).toThrow(/no button/);
  });

  it("enforces 1..4096 UTF-16 units after HTML parsing", async () => {
    const bot = makeBot({ botInfo: true });
    fake.addChat(aliceChat);
    const tooLong = await apiError(bot.api.sendMessage(alice.id, `<b>${"x".repeat(5000)}</b>`, { parse_mode: "HTML" }));
    expect(tooLong.error_code).toBe(400);
    expect(tooLong.description).toBe("Bad Request: message is too long");

    const ok = await bot.api.sendMessage(alice.id, `<i>${"&amp;".repeat(4096)}</i>`, { parse_mode: "HTML" });
    expect(ok.text).toBe("&".repeat(4096));
    expect(ok.entities).toEqual([{ type: "italic", offset: 0, length: 4096 }]);

    expect((await apiError(bot.api.sendMessage(alice.id, "😀".repeat(2049)))).description).toBe(
      "Bad Request: message is too long",
    );
    expect((await bot.api.sendMessage(alice.id, "😀".repeat(2048))).text).toHaveLength(4096);
    expect((await apiError(bot.api.sendMessage(alice.id, "<b>  </b>", { parse_mode: "HTML" }))).description).toBe(
      "Bad Request: message text is empty",
    );
    expect(fake.sentMessages(alice.id)).toHaveLength(2);
  });

  it("rejects bad HTML and MarkdownV2 with can't parse entities", async () => {
    const bot = makeBot({ botInfo: true });
    fake.addChat(aliceChat);
    const html = (text: string) => apiError(bot.api.sendMessage(alice.id, text, { parse_mode: "HTML" }));
    expect((await html("line<br>next")).description).toBe(
      `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 4`,
    );
    expect((await html("<b>open")).description).toBe(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    expect((await html("<b><i>x</b></i>")).description).toMatch(
      /^Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "<\/i>", found "<\/b>"/,
    );
    for (const bad of ["1 < 2", "a &nbsp; b", "R&D", "<span>x</span>", "</b>"]) {
      const err = await html(bad);
      expect(err.error_code, bad).toBe(400);
      expect(err.description, bad).toMatch(/^Bad Request: can't parse entities: /);
    }
    const good = await bot.api.sendMessage(
      alice.id,
      `<b>bold</b> <a href="https://example.com/?a=1&amp;b=2">link</a> <pre><code class="language-ts">x &lt; 1</code></pre> <tg-spoiler>s</tg-spoiler> 1 &gt; 0 &#128512;`,
      { parse_mode: "HTML" },
    );
    expect(good.text).toBe("bold link x < 1 s 1 > 0 😀");
    expect(good.entities).toEqual([
      { type: "bold", offset: 0, length: 4 },
      { type: "text_link", offset: 5, length: 4, url: "https://example.com/?a=1&b=2" },
      { type: "pre", offset: 10, length: 5, language: "ts" },
      { type: "spoiler", offset: 16, length: 1 },
    ]);

    const md = await apiError(bot.api.sendMessage(alice.id, "Done. 100%!", { parse_mode: "MarkdownV2" }));
    expect(md.description).toBe(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    const mdOk = await bot.api.sendMessage(alice.id, "*Done\\.* _ok_ [x](https://e.com/a\\)b)", {
      parse_mode: "MarkdownV2",
    });
    expect(mdOk.text).toBe("Done. ok x");
    expect(mdOk.entities).toEqual([
      { type: "bold", offset: 0, length: 5 },
      { type: "italic", offset: 6, length: 2 },
      { type: "text_link", offset: 9, length: 1, url: "https://e.com/a)b" },
    ]);
    expect((await apiError(bot.api.sendMessage(alice.id, "x", { parse_mode: "Nope" as "HTML" }))).description).toBe(
      "Bad Request: unsupported parse_mode",
    );
  });

  it("a 429 is retried by @grammyjs/auto-retry and the reply is delivered exactly once (runner)", async () => {
    const bot = makeBot();
    bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 2 }));
    bot.on("message:text", (ctx) => ctx.reply("pong"));
    fake.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1 });
    startRunner(bot);

    const t0 = Date.now();
    fake.sendMessage({ chat: aliceChat, from: alice, text: "ping" });
    await fake.waitForCall("sendMessage", (c) => c.ok, 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const attempts = fake.calls.filter((c) => c.method === "sendMessage");
    expect(attempts.map((c) => [c.ok, c.error?.error_code, c.injected])).toEqual([
      [false, 429, true],
      [true, undefined, undefined],
    ]);
    expect(attempts[0]?.error).toEqual({
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    expect(fake.sentMessages(alice.id).map((s) => s.text)).toEqual(["pong"]);
  });

  it("auto-retry does not wait for a retry_after above maxDelaySeconds; 5xx surface as GrammyError without it", async () => {
    const retrying = makeBot({ botInfo: true });
    retrying.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 2 }));
    fake.addChat(aliceChat);
    fake.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 30 });
    const t0 = Date.now();
    const tooLong = await apiError(retrying.api.sendMessage(alice.id, "x"));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(tooLong.error_code).toBe(429);
    expect(tooLong.parameters.retry_after).toBe(30);

    const plain = makeBot({ botInfo: true });
    fake.failNext({ method: "sendMessage", errorCode: 502, times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await apiError(plain.api.sendMessage(alice.id, "x"));
      expect([err.error_code, err.description]).toEqual([502, "Bad Gateway"]);
    }
    await plain.api.sendMessage(alice.id, "third time lucky");
    expect(fake.sentMessages(alice.id).map((s) => s.text)).toEqual(["third time lucky"]);
  });

  it("rejects message_thread_id 1, threads outside forums, unknown reply targets and unknown chats", async () => {
    const bot = makeBot({ botInfo: true });
    fake.addChat(group);
    fake.addChat(forum);
    const { threadId } = fake.createForumTopic(forum, "t", { deliverUpdate: false });
    const threadNotFound = "Bad Request: message thread not found";
    expect((await apiError(bot.api.sendMessage(forum.id, "x", { message_thread_id: 1 }))).description).toBe(
      threadNotFound,
    );
    expect((await apiError(bot.api.sendMessage(forum.id, "x", { message_thread_id: 999 }))).description).toBe(
      threadNotFound,
    );
    expect((await apiError(bot.api.sendMessage(group.id, "x", { message_thread_id: threadId }))).description).toBe(
      threadNotFound,
    );
    expect((await apiError(bot.api.sendChatAction(forum.id, "typing", { message_thread_id: 1 }))).description).toBe(
      threadNotFound,
    );
    expect(
      (await apiError(bot.api.sendMessage(group.id, "x", { reply_parameters: { message_id: 777 } }))).description,
    ).toBe("Bad Request: message to be replied not found");
    expect(
      (
        await bot.api.sendMessage(group.id, "x", {
          reply_parameters: { message_id: 777, allow_sending_without_reply: true },
        })
      ).reply_to_message,
    ).toBeUndefined();
    expect((await apiError(bot.api.sendMessage(-999, "x"))).description).toBe("Bad Request: chat not found");
    expect(await bot.api.sendChatAction(forum.id, "typing", { message_thread_id: threadId })).toBe(true);
    expect(fake.pendingUpdates()).toEqual([]);
  });

  it("records setMyCommands and serves getMyCommands", async () => {
    const bot = makeBot({ botInfo: true });
    const commands = [
      { command: "plan", description: "Propose a project" },
      { command: "status", description: "Show project status" },
    ];
    expect(await bot.api.setMyCommands(commands)).toBe(true);
    const call = await fake.waitForCall("setMyCommands");
    expect(call.params).toMatchObject({ commands });
    expect(fake.myCommands()).toEqual(commands);
    expect(await bot.api.getMyCommands()).toEqual(commands);
    expect(await bot.api.getMyCommands({ scope: { type: "all_group_chats" } })).toEqual([]);
    expect((await apiError(bot.api.setMyCommands([{ command: "Plan", description: "x" }]))).description).toBe(
      "Bad Request: BOT_COMMAND_INVALID",
    );
  });

  it("bot.stop() returns promptly during a long poll and confirms handled updates", async () => {
    await fake.close();
    fake = await startFakeTelegram({ longPollMaxMs: 30_000 });
    const bot = makeBot();
    const handled = deferred<void>();
    bot.on("message", () => handled.resolve());
    const { done } = await startPolling(bot, 30);
    fake.sendMessage({ chat: aliceChat, from: alice, text: "hi" });
    await handled.promise;
    await new Promise((r) => setTimeout(r, 100)); // the next 30 s getUpdates is now pending

    const t0 = Date.now();
    await bot.stop();
    await done;
    expect(Date.now() - t0).toBeLessThan(1000);
    const last = fake.pollCalls[fake.pollCalls.length - 1];
    expect(last?.params).toEqual({ offset: 2, limit: 1 });
    expect(last?.ok).toBe(true);
    expect(fake.pendingUpdates()).toEqual([]);
  });

  it("runner.stop() returns promptly", async () => {
    await fake.close();
    fake = await startFakeTelegram({ longPollMaxMs: 30_000 });
    const bot = makeBot();
    const handle = run(bot, { runner: { fetch: { timeout: 30 }, silent: true } });
    await fake.waitForCall("getMe");
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await handle.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(handle.isRunning()).toBe(false);
  });

  it("speaks HTTP like Telegram: 401, 404, form-urlencoded and multipart bodies", async () => {
    const wrong = await fetch(`${fake.apiRoot}/bot1:WRONG/getMe`, { method: "POST" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    const unknown = await fetch(`${fake.apiRoot}/bot${fake.token}/sendTelepathy`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
    expect((await apiError(new Bot("1:WRONG", { client: { apiRoot: fake.apiRoot } }).api.getMe())).error_code).toBe(
      401,
    );

    fake.addChat(aliceChat);
    const form = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: "POST",
      body: new URLSearchParams({
        chat_id: String(alice.id),
        text: "<b>form</b>",
        parse_mode: "HTML",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "Go", callback_data: "go" }]] }),
      }),
    });
    expect(await form.json()).toMatchObject({
      ok: true,
      result: { text: "form", reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] } },
    });
    const multipart = new FormData();
    multipart.set("chat_id", String(alice.id));
    multipart.set("text", "multi");
    const multi = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, { method: "POST", body: multipart });
    expect(await multi.json()).toMatchObject({ ok: true, result: { text: "multi", chat: { id: alice.id } } });
    expect(fake.sentMessages(alice.id).map((s) => s.plain_text)).toEqual(["form", "multi"]);
    await expect(fake.waitForCall("deleteMessage", undefined, 50)).rejects.toThrow(
      /no matching deleteMessage call within 50 ms/,
    );
  });
});

describe("entity parsers", () => {
  it("computes UTF-16 offsets and byte offsets like Telegram", () => {
    expect(parseHtml("😀 <b>ü</b>")).toEqual({
      ok: true,
      text: "😀 ü",
      entities: [{ type: "bold", offset: 3, length: 1 }],
    });
    expect(parseHtml("😀 <x>")).toEqual({ ok: false, error: `Unsupported start tag "x" at byte offset 5` });
    expect(parseHtml(`<blockquote expandable>q</blockquote><span class="tg-spoiler">s</span>`)).toMatchObject({
      ok: true,
      entities: [
        { type: "expandable_blockquote", offset: 0, length: 1 },
        { type: "spoiler", offset: 1, length: 1 },
      ],
    });
    expect(parseMarkdownV2("*a _b_*")).toEqual({
      ok: true,
      text: "a b",
      entities: [
        { type: "bold", offset: 0, length: 3 },
        { type: "italic", offset: 2, length: 1 },
      ],
    });
    expect(parseMarkdownV2("*open")).toEqual({ ok: false, error: "Can't find end of Bold entity at byte offset 0" });
    expect(parseMarkdownV2("```ts\nconst a = 1;\n```")).toEqual({
      ok: true,
      text: "const a = 1;\n",
      entities: [{ type: "pre", offset: 0, length: 13, language: "ts" }],
    });
  });
});
