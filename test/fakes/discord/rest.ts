import type { IncomingMessage, ServerResponse } from "node:http";
import { apiError, type ApiError } from "./validation.ts";
import type { FailRule, RecordedFile, RecordedRequest } from "./types.ts";

/** What a route handler answers; `after` runs once the answer is written (used for gateway dispatches). */
export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  after?: () => void | Promise<void>;
}

/** A parsed REST call handed to route handlers. */
export interface RestContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  files: RecordedFile[];
  authorized: boolean;
  /** Handlers set this so the call shows up in `interactionTranscript`. */
  interactionId?: string;
}

/** One REST route: method, pattern like `/channels/:channelId/messages`, handler; `noAuth` for interaction/webhook routes. */
export interface Route {
  method: string;
  pattern: string;
  noAuth?: boolean;
  /** An ApiError is a RestResult too, so handlers may return either. */
  handler: (ctx: RestContext) => RestResult | ApiError | Promise<RestResult | ApiError>;
}

interface CompiledRoute extends Route {
  segments: string[];
}

interface Waiter {
  predicate: (r: RecordedRequest) => boolean;
  resolve: (r: RecordedRequest) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Turns an ApiError into a RestResult. */
export function fromApiError(error: ApiError): RestResult {
  return { status: error.status, body: error.body };
}

/** The HTTP side of the fake: routing, failure injection, request recording and waiting. */
export class FakeRest {
  /** Every call, in the order they were answered. */
  readonly requests: RecordedRequest[] = [];
  readonly #routes: CompiledRoute[];
  readonly #failures: (FailRule & { remaining: number })[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #interactionIdOf: (path: string) => string | undefined;

  constructor(routes: Route[], interactionIdOf: (path: string) => string | undefined) {
    this.#routes = routes.map((r) => ({ ...r, segments: r.pattern.split("/").filter(Boolean) }));
    this.#interactionIdOf = interactionIdOf;
  }

  /** Queues a failure for the next matching call(s). */
  failNext(rule: FailRule): void {
    this.#failures.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** Resolves with the first recorded (or future) call matching `predicate`. */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    const existing = this.requests.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const seen = this.requests.map((r) => `${r.method} ${r.path} -> ${r.status}`).join("\n  ");
          reject(new Error(`fake-discord: no matching request within ${timeoutMs} ms; saw:\n  ${seen || "(none)"}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every pending waiter (on close). */
  cancelWaiters(): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("fake-discord closed"));
    }
    this.#waiters.clear();
  }

  /** Node request listener. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    const prefix = /^\/api\/v\d+(?=\/|$)/.exec(url.pathname);
    const rawSegments = (prefix ? url.pathname.slice(prefix[0].length) : url.pathname).split("/").filter(Boolean);
    const segments = rawSegments.map(safeDecode);
    const path = `/${segments.join("/")}`;
    const query = Object.fromEntries(url.searchParams);
    const ctx: RestContext = {
      method,
      path,
      params: {},
      query,
      body: undefined,
      files: [],
      authorized: /^Bot\s+\S+/.test(req.headers.authorization ?? ""),
      interactionId: this.#interactionIdOf(path),
    };

    let result: RestResult;
    try {
      const parsed = await parseBody(raw, req.headers["content-type"]);
      ctx.body = parsed.body;
      ctx.files = parsed.files;
      result = prefix ? await this.#dispatch(ctx, segments) : notFound();
    } catch (error) {
      result =
        error instanceof SyntaxError
          ? fromApiError(apiError(400, 50109, "The request body contains invalid JSON."))
          : { status: 500, body: { code: 0, message: `fake-discord internal error: ${String(error)}` } };
    }

    const record: RecordedRequest = {
      method,
      path,
      query,
      body: ctx.body,
      files: ctx.files,
      at,
      status: result.status,
      response: result.body,
      ...(ctx.interactionId ? { interactionId: ctx.interactionId } : {}),
    };
    this.requests.push(record);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(record)) {
        clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.resolve(record);
      }
    }

    const headers: Record<string, string> = { ...result.headers };
    let payload: string | undefined;
    if (result.body !== undefined && result.status !== 204) {
      payload = JSON.stringify(result.body);
      headers["Content-Type"] = "application/json";
    }
    res.writeHead(result.status, headers);
    res.end(payload, () => {
      if (result.after) void Promise.resolve(result.after()).catch(() => undefined);
    });
  }

  async #dispatch(ctx: RestContext, segments: string[]): Promise<RestResult> {
    const failure = this.#takeFailure(ctx.method, ctx.path, ctx.files.length > 0);
    if (failure) return failure;
    for (const route of this.#routes) {
      if (route.method !== ctx.method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = route.segments.every((part, i) => {
        const actual = segments[i]!;
        if (part.startsWith(":")) {
          params[part.slice(1)] = actual;
          return true;
        }
        return part === actual;
      });
      if (!matches) continue;
      if (!route.noAuth && !ctx.authorized) return { status: 401, body: { code: 0, message: "401: Unauthorized" } };
      ctx.params = params;
      return await route.handler(ctx);
    }
    return notFound();
  }

  #takeFailure(method: string, path: string, withFiles: boolean): RestResult | undefined {
    const index = this.#failures.findIndex(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.pathIncludes === undefined || path.includes(f.pathIncludes)) &&
        (f.withFiles === undefined || f.withFiles === withFiles),
    );
    if (index < 0) return undefined;
    const rule = this.#failures[index]!;
    if (rule.skip && rule.skip > 0) {
      rule.skip -= 1;
      return undefined;
    }
    if (--rule.remaining <= 0) this.#failures.splice(index, 1);
    if (rule.status === 429) {
      const retryAfter = rule.retryAfterSeconds ?? 0.1;
      const global = rule.global ?? false;
      return {
        status: 429,
        headers: {
          "Retry-After": String(retryAfter),
          "X-RateLimit-Limit": "5",
          "X-RateLimit-Remaining": "0",
          "X-RateLimit-Reset": String(Date.now() / 1000 + retryAfter),
          "X-RateLimit-Reset-After": String(retryAfter),
          "X-RateLimit-Bucket": `fake-${method}-${path.split("/").slice(0, 3).join("-")}`,
          "X-RateLimit-Scope": global ? "global" : "user",
          ...(global ? { "X-RateLimit-Global": "true" } : {}),
        },
        body: {
          message: "You are being rate limited.",
          retry_after: retryAfter,
          global,
          ...(global ? { code: 0 } : {}),
        },
      };
    }
    const text = rule.status === 500 ? "500: Internal Server Error" : "502: Bad Gateway";
    return { status: rule.status, body: { code: 0, message: text } };
  }
}

/** The answer to an unknown route. */
export function notFound(): RestResult {
  return { status: 404, body: { code: 0, message: "404: Not Found" } };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ body: unknown; files: RecordedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = contentType ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": type } }).formData();
    let body: unknown;
    const files: RecordedFile[] = [];
    for (const [field, value] of form) {
      if (typeof value === "string") {
        if (field === "payload_json") body = JSON.parse(value) as unknown;
      } else {
        files.push({
          field,
          filename: value.name,
          size: value.size,
          contentType: value.type,
          text: await value.text(),
        });
      }
    }
    return { body, files };
  }
  if (type.startsWith("application/json")) return { body: JSON.parse(raw.toString("utf8")) as unknown, files: [] };
  return { body: raw.toString("utf8"), files: [] };
}
