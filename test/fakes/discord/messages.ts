import type { FakeGateway } from "./gateway.ts";
import { Intent } from "./gateway.ts";
import { MessageFlag, THREAD_TYPES, type ChannelRecord, type FakeState, type MessageRecord } from "./state.ts";
import type { RecordedFile } from "./types.ts";
import {
  apiError,
  emptyMessageError,
  invalidFormBody,
  isEmptyMessage,
  validateMessagePayload,
  type ApiError,
} from "./validation.ts";

/** Shared dependencies of the REST routes. */
export interface RouteEnv {
  state: FakeState;
  gateway: FakeGateway;
  apiUrl: string;
  gatewayUrl: string;
  interactionDeadlineMs: number;
  interactionTokenTtlMs: number;
}

type Json = Record<string, unknown>;

const SETTABLE_FLAGS = 4 | 64 | 4096 | 32768; // suppress embeds, ephemeral, suppress notifications, components v2

/** Finds every `<@id>` / `<@!id>` user mention in a text. */
export function mentionedUserIds(content: string): string[] {
  return [...new Set([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!))];
}

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function attachmentsFrom(env: RouteEnv, channelId: string, files: RecordedFile[], payload: Json): unknown[] {
  const described = Array.isArray(payload.attachments) ? payload.attachments.map(asObject) : [];
  return files.map((file, i) => {
    const id = env.state.ids.next();
    const meta = described.find((a) => String(a.id) === String(i)) ?? {};
    const url = `${env.apiUrl.replace(/\/api$/, "")}/attachments/${channelId}/${id}/${file.filename}`;
    return {
      id,
      filename: file.filename,
      size: file.size,
      url,
      proxy_url: url,
      content_type: file.contentType || "application/octet-stream",
      // Not in Discord's payload: the fake keeps what was uploaded so tests can read the file.
      text: file.text,
      ...(typeof meta.description === "string" ? { description: meta.description } : {}),
    };
  });
}

/** Looks up a channel the bot can post in, or the 10003 error. */
export function textChannel(env: RouteEnv, channelId: string): ChannelRecord | ApiError {
  const channel = env.state.channels.get(channelId);
  if (!channel) return apiError(404, 10003, "Unknown Channel");
  if (channel.type === 4 || channel.type === 15)
    return apiError(400, 50008, "Cannot send messages in a non-text channel");
  if (THREAD_TYPES.has(channel.type) && channel.locked) return apiError(403, 50083, "Thread is archived");
  return channel;
}

/** Validates and stores a message the bot creates (channel POST, interaction response, follow-up); does not dispatch. */
export function createBotMessage(
  env: RouteEnv,
  channelId: string,
  body: unknown,
  files: RecordedFile[],
  options: {
    errorPrefix?: string[];
    interactionId?: string;
    type?: number;
    extraFlags?: number;
    allowEmpty?: boolean;
  } = {},
): MessageRecord | ApiError {
  const payload = asObject(body);
  const invalid = validateMessagePayload(payload, options.errorPrefix);
  if (invalid) return invalid;
  if (!options.allowEmpty && isEmptyMessage(payload, files.length)) return emptyMessageError;

  let messageReference: MessageRecord["messageReference"];
  let type = options.type ?? 0;
  const ref = payload.message_reference === undefined ? undefined : asObject(payload.message_reference);
  if (ref && ref.message_id !== undefined) {
    const refChannelId = typeof ref.channel_id === "string" ? ref.channel_id : channelId;
    const target = env.state.messages.get(String(ref.message_id));
    if (!target || target.deleted || target.channelId !== refChannelId) {
      if (ref.fail_if_not_exists !== false) {
        return invalidFormBody([
          {
            path: [...(options.errorPrefix ?? []), "message_reference"],
            code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
            message: "Unknown message",
          },
        ]);
      }
    } else {
      const guildId = env.state.channels.get(target.channelId)?.guildId;
      messageReference = {
        type: 0,
        message_id: target.id,
        channel_id: target.channelId,
        ...(guildId ? { guild_id: guildId } : {}),
      };
      type = 19;
    }
  }

  const content = typeof payload.content === "string" ? payload.content : "";
  const flags = ((typeof payload.flags === "number" ? payload.flags : 0) & SETTABLE_FLAGS) | (options.extraFlags ?? 0);
  const message: MessageRecord = {
    id: env.state.ids.next(),
    channelId,
    authorId: env.state.identity.botUserId,
    content,
    embeds: Array.isArray(payload.embeds) ? structuredClone(payload.embeds) : [],
    components: Array.isArray(payload.components) ? structuredClone(payload.components) : [],
    attachments: attachmentsFrom(env, channelId, files, payload),
    flags,
    type,
    timestamp: new Date().toISOString(),
    editedAt: null,
    messageReference,
    mentionIds: mentionedUserIds(content),
    viaRest: true,
    interactionId: options.interactionId,
    deleted: false,
  };
  env.state.messages.set(message.id, message);
  const channel = env.state.channels.get(channelId);
  if (channel && !(flags & MessageFlag.Ephemeral)) channel.lastMessageId = message.id;
  return message;
}

/** Validates and applies an edit (content, embeds, components, attachments, flags) to a stored message. */
export function editMessage(
  env: RouteEnv,
  message: MessageRecord,
  body: unknown,
  files: RecordedFile[],
  errorPrefix: string[] = [],
): MessageRecord | ApiError {
  const payload = asObject(body);
  const invalid = validateMessagePayload(payload, errorPrefix);
  if (invalid) return invalid;
  const next = { ...message };
  if ("content" in payload) next.content = typeof payload.content === "string" ? payload.content : "";
  if ("embeds" in payload) next.embeds = Array.isArray(payload.embeds) ? structuredClone(payload.embeds) : [];
  if ("components" in payload)
    next.components = Array.isArray(payload.components) ? structuredClone(payload.components) : [];
  if ("attachments" in payload || files.length > 0) {
    const keepIds = new Set(
      (Array.isArray(payload.attachments) ? payload.attachments : []).map((a) => String(asObject(a).id)),
    );
    const kept =
      "attachments" in payload
        ? message.attachments.filter((a) => keepIds.has(String(asObject(a).id)))
        : message.attachments;
    next.attachments = [...kept, ...attachmentsFrom(env, message.channelId, files, payload)];
  }
  if (typeof payload.flags === "number") {
    next.flags = (message.flags & ~4) | (payload.flags & 4);
  }
  const wasLoading = (message.flags & MessageFlag.Loading) !== 0;
  next.flags &= ~MessageFlag.Loading;
  if (isEmptyMessage({ ...next, attachments: next.attachments }, 0)) return emptyMessageError;
  next.mentionIds = mentionedUserIds(next.content);
  next.editedAt = wasLoading ? null : Date.now();
  Object.assign(message, next);
  return message;
}

/** Sends MESSAGE_CREATE for a message (skipped for ephemeral ones, as Discord does). */
export async function dispatchMessageCreate(env: RouteEnv, message: MessageRecord): Promise<void> {
  if (message.flags & MessageFlag.Ephemeral) return;
  await env.gateway.dispatch("MESSAGE_CREATE", env.state.messageDispatch(message));
}

/** Sends MESSAGE_UPDATE for an edited message (skipped for ephemeral ones). */
export async function dispatchMessageUpdate(env: RouteEnv, message: MessageRecord): Promise<void> {
  if (message.flags & MessageFlag.Ephemeral) return;
  await env.gateway.dispatch("MESSAGE_UPDATE", env.state.messageDispatch(message));
}

/** Marks a message deleted and sends MESSAGE_DELETE. */
export async function deleteMessage(env: RouteEnv, message: MessageRecord): Promise<void> {
  message.deleted = true;
  if (message.flags & MessageFlag.Ephemeral) return;
  const channel = env.state.channels.get(message.channelId);
  const isDm = channel?.type === 1;
  await env.gateway.dispatch("MESSAGE_DELETE", (intents: number) =>
    intents & (isDm ? Intent.DirectMessages : Intent.GuildMessages)
      ? { id: message.id, channel_id: message.channelId, ...(channel?.guildId ? { guild_id: channel.guildId } : {}) }
      : null,
  );
}

/** Sends CHANNEL_CREATE / THREAD_CREATE (Guilds intent) for a new guild channel. */
export async function dispatchChannelCreate(env: RouteEnv, channel: ChannelRecord): Promise<void> {
  const isThread = THREAD_TYPES.has(channel.type);
  const data = { ...env.state.channelJson(channel), ...(isThread ? { newly_created: true } : {}) };
  await env.gateway.dispatch(isThread ? "THREAD_CREATE" : "CHANNEL_CREATE", (intents: number) =>
    intents & Intent.Guilds ? data : null,
  );
}
