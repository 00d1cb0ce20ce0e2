import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { Logger } from "../log.ts";
import { scrubToken } from "./scrub.ts";

/**
 * Octokit with the retry plugin (5xx and network errors: 3 retries with growing pauses) and the
 * throttling plugin (GitHub's rate limits: one retry after the advertised wait, when it is short). The
 * REST routes, pagination and error types are Octokit's, so planbot has no hand-written HTTP to GitHub.
 */
const PlanbotOctokit = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof PlanbotOctokit>;

/** Options of {@link createGithubClient}. */
export interface GithubClientOptions {
  token: string;
  apiUrl: string;
  log: Logger;
  /** Multiplier of the retry plugin's pauses (1 s, 4 s, 9 s at the default 1000); tests make it small. */
  retryBaseMs?: number;
  /** Time limit of one HTTP request. */
  requestTimeoutMs?: number;
}

/** The longest rate-limit wait planbot sits out before reporting the API as unavailable. */
const MAX_RATE_LIMIT_WAIT_S = 60;

/** Creates the client. Octokit's own log lines are scrubbed of the token and go to pino at debug/warn. */
export function createGithubClient(options: GithubClientOptions): GithubClient {
  const scrub = (message: unknown) => scrubToken(String(message), options.token);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const base = options.retryBaseMs ?? 1000;
  return new PlanbotOctokit({
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: "planbot",
    retry: { retryAfterBaseValue: base },
    throttle: {
      retryAfterBaseValue: base,
      onRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _client: unknown,
        retryCount: number,
      ) => {
        options.log.warn({ method: request.method, url: request.url, retryAfter }, "GitHub rate limit reached");
        return retryCount < 1 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _client: unknown,
        retryCount: number,
      ) => {
        options.log.warn(
          { method: request.method, url: request.url, retryAfter },
          "GitHub secondary rate limit reached",
        );
        return retryCount < 1 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
      },
    },
    request: {
      fetch: (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
    log: {
      debug: (message: unknown) => options.log.debug(scrub(message)),
      info: (message: unknown) => options.log.debug(scrub(message)),
      warn: (message: unknown) => options.log.warn(scrub(message)),
      error: (message: unknown) => options.log.error(scrub(message)),
    },
  });
}
