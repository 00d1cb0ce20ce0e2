import { copyPlain } from "./plain-copy.ts";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BotCommand, Message, MessageEntity, Update, UserFromGetMe } from "grammy/types";
import { MAX_MESSAGE_LENGTH } from "./formatted-text.ts";
import { METHODS } from "./methods.ts";
import { parseParams, readBody } from "./request-body.ts";
import { ApiError, commandsKey, DEFAULT_TOPIC_COLOR, FakeState, nowSeconds, toInt } from "./state.ts";
import type {
  FailRule,
  FakeChat,
  FakeTelegram,
  FakeTelegramOptions,
  FakeUser,
  InjectClick,
  InjectMessage,
  RecordedCall,
  RecordedError,
  SentMessage,
} from "./types.ts";

/** Token the fake accepts when none is given. */
export const DEFAULT_TOKEN = "123456:TEST-TOKEN";

/** Who "creates" a forum topic injected without an explicit user. */
const DEFAULT_TOPIC_CREATOR: FakeUser = { id: 999_000_001, first_name: "Forum Admin", username: "forum_admin" };

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request: injected failure",
  403: "Forbidden: injected failure",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

interface Waiter {
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
  answer: (updates: Update[]) => void;
  conflict: () => void;
}

interface CallWaiter {
  method: string;
  predicate: (c: RecordedCall) => boolean;
  resolve: (c: RecordedCall) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

type Reply = (call: Omit<RecordedCall, "at" | "method" | "params">, status?: number) => void;

/** Implementation of {@link FakeTelegram}; create it with {@link startFakeTelegram}. */
class FakeTelegramServer implements FakeTelegram {
  apiRoot = "";
  readonly calls: RecordedCall[] = [];
  readonly pollCalls: RecordedCall[] = [];
  private readonly state: FakeState;
  private readonly server: Server;
  private readonly longPollMaxMs: number;
  private readonly failRules: Array<FailRule & { remaining: number }> = [];
  private waiters: Waiter[] = [];
  private callWaiters: CallWaiter[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    readonly token: string,
    readonly botInfo: UserFromGetMe,
    options: FakeTelegramOptions,
  ) {
    this.state = new FakeState(botInfo);
    this.state.onUpdate = () => this.wakeWaiters();
    this.longPollMaxMs = options.longPollMaxMs ?? 1000;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              ok: false,
              error_code: 500,
              description: `Internal Server Error: fake crashed: ${String(err)}`,
            }),
          );
        }
      });
    });
  }

  /** Binds to 127.0.0.1 on a random port. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
  }

  // ---- HTTP ---------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readBody(req);
    const send = (status: number, payload: unknown): void => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const match = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (!match) {
      send(404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const token = decodeURIComponent(match[1] ?? "");
    const method = match[2] ?? "";
    let params: Record<string, unknown> = {};
    let paramsError: string | undefined;
    try {
      params = parseParams(req.headers["content-type"], body, url.searchParams);
    } catch (err) {
      paramsError = String(err);
    }
    const lower = method.toLowerCase();
    const reply: Reply = (outcome, status) => {
      const call: RecordedCall = { method, params, at: Date.now(), ...outcome };
      const payload = call.ok ? { ok: true, result: call.result } : { ok: false, ...(call.error as RecordedError) };
      send(status ?? (call.ok ? 200 : (call.error?.error_code ?? 500)), payload);
      this.record(call, lower === "getupdates");
    };
    const fail = (err: RecordedError, injected = false): void =>
      reply({ ok: false, error: err, ...(injected ? { injected } : {}) });

    if (token !== this.token) return fail({ error_code: 401, description: "Unauthorized" });
    if (paramsError !== undefined)
      return fail({ error_code: 400, description: `Bad Request: can't parse request body: ${paramsError}` });
    const rule = this.takeFailRule(lower);
    if (rule) {
      const error: RecordedError = {
        error_code: rule.errorCode,
        description: rule.description ?? this.failDescription(rule),
      };
      const retryAfter = rule.retryAfterSeconds ?? (rule.errorCode === 429 ? 1 : undefined);
      if (retryAfter !== undefined) error.parameters = { retry_after: retryAfter };
      return fail(error, true);
    }
    if (lower === "getupdates") return this.getUpdates(params, res, reply);
    const handler = METHODS[lower];
    if (!handler) return fail({ error_code: 404, description: "Not Found: method not found" });
    try {
      reply({ ok: true, result: handler(this.state, params) });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      fail({
        error_code: err.code,
        description: err.description,
        ...(err.parameters ? { parameters: err.parameters } : {}),
      });
    }
  }

  private failDescription(rule: FailRule): string {
    if (rule.errorCode === 429) return `Too Many Requests: retry after ${rule.retryAfterSeconds ?? 1}`;
    return DEFAULT_DESCRIPTIONS[rule.errorCode] ?? "Injected failure";
  }

  private takeFailRule(lowerMethod: string): FailRule | undefined {
    const idx = this.failRules.findIndex((r) => r.method.toLowerCase() === lowerMethod);
    if (idx === -1) return undefined;
    const rule = this.failRules[idx] as FailRule & { remaining: number };
    if (rule.skip && rule.skip > 0) {
      rule.skip -= 1;
      return undefined;
    }
    if (--rule.remaining <= 0) this.failRules.splice(idx, 1);
    return rule;
  }

  /** Long poll: answer at once when updates exist or timeout is 0 (bot.stop()'s final call), else hold. */
  private getUpdates(params: Record<string, unknown>, res: ServerResponse, reply: Reply): void {
    const offset = toInt(params.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, toInt(params.limit) ?? 100));
    const timeoutSec = Math.max(0, toInt(params.timeout) ?? 0);
    if (Array.isArray(params.allowed_updates)) this.state.allowedUpdates = params.allowed_updates.map(String);
    this.state.confirm(offset);
    const ready = this.state.peek(limit);
    if (ready.length > 0 || timeoutSec === 0) {
      reply({ ok: true, result: ready });
      return;
    }
    // Telegram allows one getUpdates at a time: a newer one terminates the older with 409.
    for (const w of this.waiters.splice(0)) w.conflict();
    const finish = (w: Waiter): void => {
      clearTimeout(w.timer);
      this.waiters = this.waiters.filter((x) => x !== w);
    };
    const waiter: Waiter = {
      offset,
      limit,
      timer: setTimeout(() => waiter.answer([]), Math.min(timeoutSec * 1000, this.longPollMaxMs)),
      answer: (updates) => {
        finish(waiter);
        reply({ ok: true, result: updates });
      },
      conflict: () => {
        finish(waiter);
        reply({
          ok: false,
          error: {
            error_code: 409,
            description:
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
          },
        });
      },
    };
    this.waiters.push(waiter);
    // grammY aborts the pending poll on bot.stop() / runner.stop(): forget it.
    res.on("close", () => {
      if (!res.writableEnded) finish(waiter);
    });
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) {
      const ready = this.state.peek(w.limit);
      if (ready.length > 0) w.answer(ready);
    }
  }

  private record(call: RecordedCall, isPoll: boolean): void {
    (isPoll ? this.pollCalls : this.calls).push(call);
    for (const w of [...this.callWaiters]) {
      if (w.method !== call.method) continue;
      let matched: boolean;
      try {
        matched = w.predicate(call);
      } catch (err) {
        clearTimeout(w.timer);
        this.callWaiters = this.callWaiters.filter((x) => x !== w);
        w.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (matched) {
        clearTimeout(w.timer);
        this.callWaiters = this.callWaiters.filter((x) => x !== w);
        w.resolve(call);
      }
    }
  }

  // ---- test API -------------------------------------------------------------

  waitForCall(
    method: string,
    predicate: (c: RecordedCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<RecordedCall> {
    const list = method === "getUpdates" ? this.pollCalls : this.calls;
    const existing = list.find((c) => c.method === method && predicate(c));
    if (existing) return Promise.resolve(existing);
    if (this.closed) return Promise.reject(new Error(`fake telegram: closed while waiting for ${method}`));
    return new Promise<RecordedCall>((resolve, reject) => {
      const waiter: CallWaiter = {
        method,
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.callWaiters = this.callWaiters.filter((x) => x !== waiter);
          const seen = this.calls
            .filter((c) => c.method === method)
            .map((c) => JSON.stringify({ params: c.params, ok: c.ok, error: c.error }));
          reject(
            new Error(
              `fake telegram: no matching ${method} call within ${timeoutMs} ms; ${method} calls so far: ${seen.length ? seen.join("\n") : "none"}`,
            ),
          );
        }, timeoutMs),
      };
      this.callWaiters.push(waiter);
    });
  }

  addChat(chat: FakeChat): void {
    this.assertOpen();
    this.state.ensureChat(chat);
  }

  sendMessage(m: InjectMessage): Message {
    this.assertOpen();
    const rec = this.state.ensureChat(m.chat, m.from);
    if (m.text.length === 0 || m.text.length > MAX_MESSAGE_LENGTH)
      throw new Error(`fake telegram: users can send 1..${MAX_MESSAGE_LENGTH} characters`);
    let threadId = m.threadId;
    if (threadId !== undefined && !rec.topics.has(threadId)) {
      throw new Error(`fake telegram: no topic ${threadId} in chat ${m.chat.id}; call fake.createForumTopic first`);
    }
    const replyTo = m.replyToMessageId === undefined ? undefined : this.state.visible(rec, m.replyToMessageId);
    if (m.replyToMessageId !== undefined && !replyTo)
      throw new Error(`fake telegram: no message ${m.replyToMessageId} in chat ${m.chat.id}`);
    if (threadId === undefined && replyTo?.threadId !== undefined) threadId = replyTo.threadId;
    const message: Record<string, unknown> = {
      message_id: this.state.allocMessageId(rec),
      from: this.state.userObject(m.from),
      chat: this.state.chatObject(rec),
      date: nowSeconds(),
    };
    if (threadId !== undefined) {
      message.message_thread_id = threadId;
      message.is_topic_message = true;
    }
    const replyTarget = replyTo ?? (threadId !== undefined ? this.state.visible(rec, threadId) : undefined);
    if (replyTarget) message.reply_to_message = this.state.replyCopy(replyTarget.message);
    message.text = m.text;
    const command = /^\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/.exec(m.text);
    if (command)
      message.entities = [{ type: "bot_command", offset: 0, length: command[0].length }] satisfies MessageEntity[];
    const stored = this.state.store(rec, message as unknown as Message, {
      ...(threadId !== undefined ? { threadId } : {}),
      fromBot: false,
    });
    this.state.enqueue({ message: copyPlain(stored.message) as Message & Update.NonChannel });
    return copyPlain(stored.message);
  }

  editMessage(chat: FakeChat, messageId: number, text: string): Message {
    this.assertOpen();
    const rec = this.state.ensureChat(chat);
    const stored = this.state.visible(rec, messageId);
    if (!stored || stored.fromBot) throw new Error(`fake telegram: no user message ${messageId} in chat ${chat.id}`);
    if (text.length === 0 || text.length > MAX_MESSAGE_LENGTH)
      throw new Error(`fake telegram: users can send 1..${MAX_MESSAGE_LENGTH} characters`);
    const message = { ...stored.message, text, edit_date: nowSeconds() } as Message;
    const command = /^\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/.exec(text);
    if (command) message.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    else delete message.entities;
    stored.message = message;
    this.state.enqueue({ edited_message: copyPlain(message) as Update["edited_message"] });
    return copyPlain(message);
  }

  createForumTopic(
    chat: FakeChat,
    name: string,
    opts: { from?: FakeUser; deliverUpdate?: boolean } = {},
  ): { threadId: number; message: Message } {
    this.assertOpen();
    if (chat.type !== "supergroup" || !chat.is_forum)
      throw new Error(
        `fake telegram: chat ${chat.id} is not a forum supergroup (set type "supergroup" and is_forum: true)`,
      );
    const rec = this.state.ensureChat(chat);
    const from = opts.from ?? DEFAULT_TOPIC_CREATOR;
    const stored = this.state.createTopic(rec, name, DEFAULT_TOPIC_COLOR, this.state.userObject(from));
    if (opts.deliverUpdate !== false)
      this.state.enqueue({ message: copyPlain(stored.message) as Message & Update.NonChannel });
    return { threadId: stored.message.message_id, message: copyPlain(stored.message) };
  }

  clickButton(c: InjectClick): { callbackQueryId: string; update: Update } {
    this.assertOpen();
    const rec = this.state.chats.get(c.chat.id);
    const stored = rec ? this.state.visible(rec, c.messageId) : undefined;
    if (!rec || !stored) throw new Error(`fake telegram: no message ${c.messageId} in chat ${c.chat.id}`);
    if (!c.force) {
      const keyboard =
        (stored.message as { reply_markup?: { inline_keyboard?: Array<Array<{ callback_data?: string }>> } })
          .reply_markup?.inline_keyboard ?? [];
      if (!keyboard.flat().some((b) => b.callback_data === c.data)) {
        throw new Error(
          `fake telegram: message ${c.messageId} has no button with callback_data ${JSON.stringify(c.data)} (pass force: true to click anyway)`,
        );
      }
    }
    const callbackQueryId = this.state.newCallbackQueryId();
    const update = this.state.enqueue({
      callback_query: {
        id: callbackQueryId,
        from: this.state.userObject(c.from),
        message: copyPlain(stored.message),
        chat_instance: String(BigInt(c.chat.id) * -7n + 4_000_000_000n),
        data: c.data,
      },
    });
    return { callbackQueryId, update };
  }

  injectUpdate(update: Omit<Update, "update_id">): Update {
    this.assertOpen();
    return this.state.enqueue(update);
  }

  failNext(rule: FailRule): void {
    // A copy: `skip` counts down on it, not on the caller's object.
    this.failRules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  sentMessages(chatId: number, threadId?: number): SentMessage[] {
    return this.state.sentLog.filter(
      (m) => m.chat_id === chatId && (threadId === undefined || m.message_thread_id === threadId),
    );
  }

  getMessage(chatId: number, messageId: number): Message | undefined {
    const rec = this.state.chats.get(chatId);
    const stored = rec ? this.state.visible(rec, messageId) : undefined;
    return stored ? copyPlain(stored.message) : undefined;
  }

  myCommands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[] {
    return copyPlain(this.state.commands.get(commandsKey(scope, languageCode)) ?? []);
  }

  pendingUpdates(): Update[] {
    return copyPlain(this.state.pending());
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) clearTimeout(w.timer);
      for (const w of this.callWaiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(`fake telegram: closed while waiting for ${w.method}`));
      }
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("fake telegram: already closed");
  }
}

/** Starts a fake Telegram Bot API on 127.0.0.1 (random port) that real grammY can long-poll. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? DEFAULT_TOKEN;
  const botId = options.botId ?? (Number(token.split(":")[0]) || 123456);
  const botInfo: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: "Planbot Test",
    username: options.botUsername ?? "planbot_test_bot",
    can_join_groups: true,
    can_read_all_group_messages: true,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  const fake = new FakeTelegramServer(token, botInfo, options);
  await fake.listen();
  return fake;
}
