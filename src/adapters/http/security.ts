import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Logger } from "../../log.ts";
import { isLoopbackHost } from "./exposure.ts";
import { createGuessThrottle } from "./guess-throttle.ts";
import type { HttpError } from "./http-io.ts";

/**
 * The dashboard's three gates: who (the token, as a bearer header or the login cookie), from where
 * (Origin/Referer of state-changing requests and the stream) and to which name (the Host header, so a
 * DNS-rebinding page cannot reach a token-less loopback dashboard). Echo-core's dashboard checked the cookie only on
 * some routes and matched origins with `startsWith`, which lets `http://127.0.0.1:8088.evil.example`
 * through; here origins are parsed and compared exactly.
 */

/** Name of the session cookie `POST /api/login` sets. */
export const SESSION_COOKIE = "planbot_session";

/**
 * Node's bounds on receiving a request, for `createServer`: a client that announces a body and stalls
 * (or trickles it) gets 408 and is disconnected once `requestTimeout` has passed since its request began,
 * instead of holding a socket forever. Node stops that clock once the request is fully received, so a
 * planner turn that takes minutes to answer, and the event stream, are not cut off by it.
 */
export function requestReceiptLimits(options: { requestTimeoutMs?: number; requestCheckIntervalMs?: number }) {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  return {
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 30_000),
    connectionsCheckingInterval: options.requestCheckIntervalMs ?? Math.min(5_000, requestTimeout),
  };
}

/** `host` as it appears in a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * The origins a browser shows for this dashboard: its own `http://host:port`, the loopback spellings of
 * it when it listens on loopback or on every address, and DASHBOARD_ORIGINS (for a reverse proxy's name).
 */
export function allowedOrigins(host: string, port: number, extra: string[]): Set<string> {
  const origins = new Set<string>();
  const add = (value: string) => {
    try {
      origins.add(new URL(value).origin);
    } catch {
      // A malformed DASHBOARD_ORIGINS entry can never match; config validation is the core's job.
    }
  };
  add(`http://${urlHost(host)}:${port}`);
  if (isLoopbackHost(host) || host === "0.0.0.0" || host === "::") {
    for (const name of ["localhost", "127.0.0.1", "[::1]"]) add(`http://${name}:${port}`);
  }
  for (const origin of extra) add(origin);
  return origins;
}

/** 403 unless the request's Origin (or, without one, its Referer) is one of ours. Neither header = not a browser form; let it through. */
export function checkOrigin(req: IncomingMessage, origins: Set<string>): HttpError | undefined {
  const origin = header(req, "origin");
  const referer = header(req, "referer");
  const claimed = origin ?? referer;
  if (claimed === undefined) return undefined;
  let parsed: string | undefined;
  try {
    parsed = new URL(claimed).origin;
  } catch {
    parsed = undefined;
  }
  if (parsed && origins.has(parsed)) return undefined;
  return {
    status: 403,
    body: {
      error: "forbidden_origin",
      message: `requests from ${claimed.slice(0, 100)} are not allowed; add the origin to DASHBOARD_ORIGINS if it is yours`,
    },
  };
}

/**
 * 403 unless the Host header names this dashboard. Only used without a token: with one, a rebinding
 * page has no cookie and no bearer, so the token already stops it.
 */
export function checkHost(req: IncomingMessage, origins: Set<string>): HttpError | undefined {
  const host = header(req, "host");
  let origin: string | undefined;
  try {
    // Through URL, so `127.0.0.1:80` and `127.0.0.1` (and letter case) compare equal, as browsers send them.
    origin = host ? new URL(`http://${host}`).origin : undefined;
  } catch {
    origin = undefined;
  }
  if (origin && origins.has(origin)) return undefined;
  return {
    status: 403,
    body: {
      error: "forbidden_host",
      message: "this dashboard does not answer to that host name; add it to DASHBOARD_ORIGINS if it is yours",
    },
  };
}

/** Checks bearer tokens and login cookies against DASHBOARD_TOKEN in constant time. */
export interface TokenGate {
  /** Whether a token is configured at all. */
  readonly required: boolean;
  /** Whether the request carries the token (any request passes when no token is configured). */
  allows(req: IncomingMessage): boolean;
  /** Whether `candidate` is the token (the login form). */
  matches(candidate: string): boolean;
  /**
   * {@link allows}, with bearer tokens slowed per client address (see guess-throttle.ts): a wrong bearer
   * counts as a guess; cookies and requests without credentials do not. `throttled` is the 429 to send.
   */
  admit(req: IncomingMessage): GateVerdict;
  /** {@link matches} for the login form of `req`'s client, slowed the same way. */
  admitLogin(req: IncomingMessage, candidate: string): GateVerdict;
  /** The Set-Cookie value that logs a browser in. */
  loginCookie(): string;
  /** The Set-Cookie value that logs it out. */
  logoutCookie(): string;
}

/** Whether a request may pass the token gate; when it may not, whether it is a 429 (too many guesses) rather than a 401. */
export type GateVerdict = { ok: true } | { ok: false; throttled?: HttpError };

/** Options of {@link createTokenGate}. */
export interface TokenGateOptions {
  /** Where the throttle's once-per-address warning goes. */
  log?: Logger;
  /** The throttle's clock in ms (tests move it instead of sleeping). */
  now?: () => number;
}

/**
 * Creates the {@link TokenGate}. The cookie holds an HMAC of the token, not the token: it proves the
 * browser logged in, stops working when the token is rotated, and does not hand out the bearer secret.
 * Comparisons hash both sides first, so neither the content nor the length leaks through timing.
 */
export function createTokenGate(token: string | undefined, options: TokenGateOptions = {}): TokenGate {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
  const session = token ? createHmac("sha256", token).update("planbot-dashboard-session-v1").digest("hex") : "";
  const throttle = createGuessThrottle(options);
  const credentials = (req: IncomingMessage) => ({
    bearer: /^Bearer\s+(.+)$/i.exec(header(req, "authorization") ?? "")?.[1]?.trim(),
    cookie: readCookie(header(req, "cookie") ?? "", SESSION_COOKIE),
  });
  const allows = (req: IncomingMessage) => {
    if (!token) return true;
    const { bearer, cookie } = credentials(req);
    if (bearer !== undefined && same(bearer, token)) return true;
    return cookie !== undefined && same(cookie, session);
  };
  const matches = (candidate: string) => Boolean(token) && same(candidate, token!);
  /** Runs one guess through the throttle: refused unseen while the address waits, counted when wrong. */
  const judge = (req: IncomingMessage, right: () => boolean): GateVerdict => {
    const address = req.socket.remoteAddress ?? "unknown";
    const waitMs = throttle.waitMs(address);
    if (waitMs > 0) return { ok: false, throttled: tooManyGuesses(waitMs) };
    if (right()) {
      throttle.succeeded(address);
      return { ok: true };
    }
    throttle.failed(address);
    return { ok: false };
  };
  return {
    required: Boolean(token),
    allows,
    matches,
    admit(req) {
      if (!token) return { ok: true };
      const { bearer, cookie } = credentials(req);
      // The cookie is an HMAC nobody can guess, and a browser keeps sending a stale one after the token is
      // rotated (the stream reconnects every few seconds): a cookie is never a guess, and a valid one passes
      // even while its address waits, so guessers behind the same NAT do not lock out logged-in people.
      if (cookie !== undefined && same(cookie, session)) return { ok: true };
      if (bearer === undefined) return { ok: false };
      return judge(req, () => same(bearer, token));
    },
    admitLogin: (req, candidate) => judge(req, () => matches(candidate)),
    loginCookie: () => `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${30 * 24 * 3600}`,
    logoutCookie: () => `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
  };
}

function tooManyGuesses(waitMs: number): HttpError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return {
    status: 429,
    body: {
      error: "rate_limited",
      message: `too many wrong dashboard tokens from your address; try again in ${seconds} s`,
    },
    headers: { "Retry-After": String(seconds) },
  };
}

function readCookie(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
