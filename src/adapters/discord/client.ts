import { once } from "node:events";
import { Client, Events, GatewayIntentBits, Options, Partials, type RateLimitData } from "discord.js";
import type { Config } from "../../config.ts";

/** A rate limit longer than this is not waited out: the send fails as `rate_limited` and the caller retries. */
export const MAX_RATE_LIMIT_WAIT_MS = 30_000;
/** How long login may take before start-up gives up. */
export const READY_TIMEOUT_MS = 60_000;

/**
 * The least intents planbot needs: Guilds (channel and thread caches), GuildMessages + MessageContent
 * (typed commands and answers in channels and threads), DirectMessages (DM sessions; with the Channel
 * partial, since DM channels are not cached before their first message). Slash commands and buttons
 * need no intent.
 */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

/**
 * Creates the discord.js client. `DISCORD_API_URL` replaces the REST base (the gateway URL then comes from
 * `GET /gateway/bot`), which is how tests point it at the fake. Reconnects and rate limits stay with
 * discord.js; it retries a 5xx or reset connection once, and only waits out rate limits up to
 * {@link MAX_RATE_LIMIT_WAIT_MS}. Nothing the bot posts pings anyone except the author it replies to.
 */
export function createDiscordClient(discord: Config["discord"]): Client {
  return new Client({
    intents: INTENTS,
    partials: [Partials.Channel],
    allowedMentions: { parse: [], repliedUser: true },
    // Replying to a message the user deleted meanwhile posts a plain message instead of failing.
    failIfNotExists: false,
    // planbot answers each message from its own event and edits what it sent by id over REST: it never reads
    // a channel's message cache, which discord.js would otherwise fill with up to 200 messages per channel
    // for as long as planbot runs.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    rest: {
      ...(discord.apiUrl ? { api: discord.apiUrl.replace(/\/+$/, "") } : {}),
      version: "10",
      retries: 1,
      rejectOnRateLimit: (data: RateLimitData) => data.retryAfter > MAX_RATE_LIMIT_WAIT_MS,
    },
  });
}

/** Logs in and resolves once the gateway session is ready; rejects on a bad token, an error or a timeout. */
export async function loginAndWait(client: Client, token: string, timeoutMs = READY_TIMEOUT_MS): Promise<Client<true>> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`Discord did not get ready within ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  try {
    const ready = once(client, Events.ClientReady, { signal: abort.signal });
    await Promise.all([client.login(token), ready]);
    if (!client.isReady()) throw new Error("the Discord client is not ready after login");
    return client;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
