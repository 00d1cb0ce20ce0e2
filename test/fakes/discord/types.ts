/** A user the fake knows about: message authors, interaction invokers, DM recipients. */
export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

/** A file that arrived in a multipart REST request. */
export interface RecordedFile {
  field: string;
  filename: string;
  size: number;
  contentType: string;
  /** The uploaded bytes as UTF-8 text (test files are small text files). */
  text: string;
}

/** One REST call as the fake saw it and answered it. */
export interface RecordedRequest {
  method: string;
  /** Decoded path without the `/api/v10` prefix, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the parsed `payload_json` of a multipart body, or `undefined` when empty. */
  body: unknown;
  files: RecordedFile[];
  /** `Date.now()` when the request arrived. */
  at: number;
  status: number;
  /** The JSON the fake answered with (`undefined` for 204). */
  response: unknown;
  /** Set for interaction callbacks and interaction webhook calls. */
  interactionId?: string;
}

/** A text channel, category, forum or thread to put into the fake guild. */
export interface FakeChannelInput {
  id: string;
  name: string;
  /** Discord channel type; 0 (guild text) by default, 11/12 are threads. */
  type?: number;
  parentId?: string;
}

/** Options of {@link startFakeDiscord}. */
export interface FakeDiscordOptions {
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  guildId?: string;
  guildName?: string;
  /** Text channels of the guild; default `[{ id: "100", name: "general" }]`. */
  channels?: FakeChannelInput[];
  /** The token `fake.token` reports (any token is accepted). */
  token?: string;
  /** Time allowed for the first response to an interaction (Discord: 3000 ms). */
  interactionDeadlineMs?: number;
  /** Lifetime of an interaction token for webhook edits/follow-ups (Discord: 15 minutes). */
  interactionTokenTtlMs?: number;
  /** HELLO heartbeat_interval (Discord: 41250 ms). */
  heartbeatIntervalMs?: number;
}

/** An application command option as sent in an interaction (nested for sub-commands). */
export interface FakeCommandOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: FakeCommandOption[];
}

/** A message the bot created through REST, as returned by `channelMessages`. */
export interface FakeChannelMessage {
  id: string;
  content: string;
  components: unknown[];
  embeds: unknown[];
  attachments: unknown[];
  flags: number;
  message_reference?: unknown;
  /** Id of the interaction whose response or follow-up created it. */
  interactionId?: string;
  editedAt: number | null;
}

/** A failure to inject into matching REST calls (see `failNext`). */
export interface FailRule {
  method?: string;
  pathIncludes?: string;
  status: 429 | 500 | 502;
  /** For 429: seconds sent in `Retry-After` and `retry_after` (fractions allowed; default 0.1). */
  retryAfterSeconds?: number;
  /** How many matching calls fail (default 1). */
  times?: number;
  /** For 429: a global rate limit (`X-RateLimit-Global`). */
  global?: boolean;
  /** Only calls that upload files (multipart with a `files[n]` part): a failed attachment upload. */
  withFiles?: boolean;
  /** Matching calls that succeed before the failures start (default 0): fails a later part of a reply. */
  skip?: number;
}

/** A frame the client sent on the gateway. */
export interface GatewayFrame {
  op: number;
  d: unknown;
  at: number;
}

/** The interaction handle returned by `slashCommand`, `clickButton` and `autocomplete`. */
export interface FakeInteractionHandle {
  id: string;
  token: string;
}

/** A running fake Discord (REST + gateway) on 127.0.0.1. */
export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api`, for `rest.api`. */
  apiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway`. */
  gatewayUrl: string;
  token: string;
  applicationId: string;
  /** The bot's user id (defaults to the application id, as for real bots). */
  botUserId: string;
  guildId: string;
  /** Every REST call, in arrival order of completion. */
  requests: RecordedRequest[];
  /** Every frame clients sent on the gateway (IDENTIFY, RESUME, heartbeats...). */
  gatewayFrames: GatewayFrame[];
  /** Resolves when a client completed IDENTIFY and got READY + GUILD_CREATE. */
  identified: Promise<void>;
  /** Resolves with the first recorded or future REST call matching `predicate` (default timeout 5000 ms). */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Adds a guild channel (CHANNEL_CREATE) or thread, types 10/11/12 (THREAD_CREATE). */
  addChannel(channel: FakeChannelInput): void;
  /** Id of the DM channel (type 1) with that user, created on demand; no gateway event, as on Discord. */
  dmChannel(userId: string): string;
  /**
   * A user's message as MESSAGE_CREATE (guild_id unless a DM). `mentionsBot` prefixes `<@bot>` to the content;
   * a reply also mentions the replied-to author. Resolves once written to the socket.
   */
  sendMessage(message: {
    channelId: string;
    author: FakeUser;
    content: string;
    referencedMessageId?: string;
    mentionsBot?: boolean;
  }): Promise<{ id: string }>;
  /** INTERACTION_CREATE type 2 (chat input); the response deadline starts when it is written. */
  slashCommand(cmd: {
    name: string;
    options?: FakeCommandOption[];
    user: FakeUser;
    channelId: string;
  }): Promise<FakeInteractionHandle>;
  /** INTERACTION_CREATE type 3 (button); a stored message must carry an enabled button with `customId`. */
  clickButton(click: {
    customId: string;
    user: FakeUser;
    channelId: string;
    messageId: string;
  }): Promise<FakeInteractionHandle>;
  /** INTERACTION_CREATE type 4; the last option is focused unless one is marked. */
  autocomplete(cmd: {
    name: string;
    options: FakeCommandOption[];
    user: FakeUser;
    channelId: string;
  }): Promise<FakeInteractionHandle>;
  /** The callback and webhook calls (edits, follow-ups, fetches, deletes) of one interaction, in order. */
  interactionTranscript(interactionId: string): RecordedRequest[];
  /** Live (not deleted) messages the bot created via REST in a channel, incl. interaction responses there. */
  channelMessages(channelId: string): FakeChannelMessage[];
  /** Application commands as registered (global without argument, else for that guild id). */
  registeredCommands(guildId?: string): unknown[];
  /** Makes the next matching REST call(s) fail with 429 / 500 / 502. */
  failNext(rule: FailRule): void;
  /** Closes the gateway sockets (default code 4000: discord.js resumes; 1000: it identifies anew). */
  disconnectClient(code?: number): void;
  /** Closes every socket and the server; idempotent. */
  close(): Promise<void>;
}
