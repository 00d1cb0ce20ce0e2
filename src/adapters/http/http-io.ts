import type { IncomingMessage, ServerResponse } from "node:http";
import { CODE_MARKED_STYLES, renderPlainText } from "../../chat/plain-text.ts";
import type { ErrorCode, Failure } from "../../projects/result.ts";
import { memberFailure } from "./member-failure.ts";

/**
 * Request and response plumbing for the dashboard API: JSON replies, bounded body reading and the
 * mapping from the core's typed failures to echo-core's status codes and JSON keys. Every error a client
 * can cause ends here as a JSON reply, never as a thrown exception that takes the process down.
 */

/** Largest request body accepted; the API only ever takes a few short strings. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Headers every response carries: no sniffing, no framing, and Referer kept to our own origin. */
const BASE_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

/** Sends a JSON body with a status; a Buffer is sent as a ready serialisation (the shared project list). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = Buffer.isBuffer(body) ? body : JSON.stringify(body);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...BASE_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a static text asset (the dashboard page and its script). */
export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An error reply decided before a handler runs (bad body, wrong origin, …). */
export interface HttpError {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A parsed request body: always a plain object (an empty body is `{}`). */
export type BodyResult = { ok: true; body: Record<string, unknown>; form: boolean } | { ok: false; error: HttpError };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/**
 * Reads a request body of at most `limit` bytes. JSON is required whenever there is a body: a
 * cross-site form can only send form, text or multipart bodies without a CORS preflight, so insisting
 * on application/json is part of the CSRF defence. `allowForm` lets the login endpoint also take a
 * plain HTML form (the login page needs no script). Oversized bodies answer 413 and close the
 * connection instead of draining an unbounded upload.
 */
export function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT, allowForm = false): Promise<BodyResult> {
  const tooLarge: HttpError = {
    status: 413,
    body: { error: "payload_too_large", message: `request bodies are limited to ${limit} bytes` },
    headers: { Connection: "close" },
  };
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, error: tooLarge });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        finish({ ok: false, error: tooLarge });
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", () =>
      finish({
        ok: false,
        error: { status: 400, body: { error: "bad_request", message: "the request body could not be read" } },
      }),
    );
    req.on("end", () =>
      finish(parseBody(Buffer.concat(chunks).toString("utf8"), String(req.headers["content-type"] ?? ""), allowForm)),
    );
  });
}

function parseBody(text: string, contentType: string, allowForm: boolean): BodyResult {
  if (text.trim() === "") return { ok: true, body: {}, form: false };
  if (allowForm && FORM_TYPE.test(contentType)) {
    return { ok: true, body: Object.fromEntries(new URLSearchParams(text)), form: true };
  }
  if (!JSON_TYPE.test(contentType)) {
    return {
      ok: false,
      error: {
        status: 415,
        body: { error: "unsupported_media_type", message: "send the body as JSON with Content-Type: application/json" },
      },
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: {
        status: 400,
        body: { error: "invalid_json", message: `the body is not valid JSON: ${(error as Error).message}` },
      },
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      error: { status: 400, body: { error: "invalid_json", message: "the body must be a JSON object" } },
    };
  }
  return { ok: true, body: value as Record<string, unknown>, form: false };
}

/** HTTP status of each core failure code; echo-core's codes keep echo-core's statuses. */
const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_slug: 400,
  invalid_description: 400,
  usage: 400,
  forbidden: 403,
  not_found: 404,
  no_active_session: 404,
  duplicate_slug: 409,
  stale: 409,
  already_committed: 409,
  invalid_state: 409,
  session_busy: 409,
  rate_limited: 429,
  // Echo-core's dashboard answered every planner or store exception with 500; keep that for the dashboard's sake.
  planner_failed: 500,
  store_corrupt: 500,
  store_io: 500,
  execute_failed: 500,
  send_failed: 500,
  message_gone: 410,
  not_available: 503,
};

/**
 * A core failure as echo-core's JSON: `{error: code, message}` plus `fields`, `current_version`, and the
 * failure's details (`slug`, `status`, …). A corrupt or unreadable store names its file in `file`.
 * Messages use the reply markup in the core; the API hands out plain sentences, and a problem only the
 * server's operator can fix in a chat member's words (member-failure.ts; `slug` names the project when the
 * failure does not).
 */
export function failureResponse(served: Failure, slug?: string): HttpError {
  const failure = memberFailure(served, slug);
  const body: Record<string, unknown> = {
    error: failure.code,
    message: renderPlainText({ text: failure.message }, CODE_MARKED_STYLES),
  };
  if (failure.fields) body.fields = failure.fields;
  if (failure.currentVersion !== undefined) body.current_version = failure.currentVersion;
  for (const [key, value] of Object.entries(failure.details ?? {})) {
    if (key === "path") body.file = value;
    else if (!(key in body)) body[key] = value;
  }
  return { status: STATUS[failure.code] ?? 500, body };
}

/** Sends a {@link failureResponse}. */
export function sendFailure(res: ServerResponse, failure: Failure, slug?: string): void {
  const { status, body } = failureResponse(failure, slug);
  sendJson(res, status, body);
}

/** Sends an {@link HttpError}. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, error.body, error.headers);
}
