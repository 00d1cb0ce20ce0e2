import { Intent } from "./gateway.ts";
import {
  createBotMessage,
  deleteMessage,
  dispatchChannelCreate,
  dispatchMessageCreate,
  dispatchMessageUpdate,
  editMessage,
  textChannel,
  type RouteEnv,
} from "./messages.ts";
import type { Route } from "./rest.ts";
import { THREAD_TYPES, type ChannelRecord } from "./state.ts";
import { apiError, discordLength, invalidFormBody } from "./validation.ts";

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

const noContent = { status: 204 } as const;

/** Gateway discovery, users, applications, guild, channels, messages, reactions, typing and threads. */
export function channelRoutes(env: RouteEnv): Route[] {
  const { state } = env;

  const applicationJson = (): Json => ({
    id: state.identity.applicationId,
    name: state.identity.botUsername,
    description: "",
    icon: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: "0".repeat(64),
    flags: 1 << 19,
    owner: state.userJson(state.ownerId),
    team: null,
    bot: state.userJson(state.identity.botUserId),
    approximate_guild_count: 1,
    integration_types_config: { "0": {} },
  });

  const findMessage = (channelId: string, messageId: string) => {
    const message = state.messages.get(messageId);
    return message && !message.deleted && message.channelId === channelId ? message : undefined;
  };

  const createThread = (parent: ChannelRecord, id: string, body: Json, type: number) => {
    const name = typeof body.name === "string" ? body.name : "";
    if (discordLength(name) < 1 || discordLength(name) > 100) {
      return invalidFormBody([
        { path: ["name"], code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." },
      ]);
    }
    return state.addGuildChannel({
      id,
      name,
      type,
      parentId: parent.id,
      ownerId: state.identity.botUserId,
      autoArchiveDuration: typeof body.auto_archive_duration === "number" ? body.auto_archive_duration : 4320,
    });
  };

  const threadCreated = (thread: ChannelRecord, extra: Json = {}, afterCreate?: () => Promise<void>) => ({
    status: 201,
    body: { ...state.channelJson(thread), ...extra },
    after: async () => {
      await dispatchChannelCreate(env, thread);
      await afterCreate?.();
    },
  });

  return [
    {
      method: "GET",
      pattern: "/gateway/bot",
      handler: () => ({
        status: 200,
        body: {
          url: env.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        },
      }),
    },
    {
      method: "GET",
      pattern: "/gateway",
      noAuth: true,
      handler: () => ({ status: 200, body: { url: env.gatewayUrl } }),
    },
    {
      method: "GET",
      pattern: "/users/@me",
      handler: () => ({ status: 200, body: state.userJson(state.identity.botUserId) }),
    },
    {
      method: "GET",
      pattern: "/users/:userId",
      handler: ({ params }) =>
        state.users.has(params.userId!)
          ? { status: 200, body: state.userJson(params.userId!) }
          : apiError(404, 10013, "Unknown User"),
    },
    { method: "GET", pattern: "/applications/@me", handler: () => ({ status: 200, body: applicationJson() }) },
    { method: "GET", pattern: "/oauth2/applications/@me", handler: () => ({ status: 200, body: applicationJson() }) },
    {
      method: "POST",
      pattern: "/users/@me/channels",
      handler: ({ body }) => {
        const recipient = asObject(body).recipient_id;
        if (typeof recipient !== "string") {
          return invalidFormBody([
            { path: ["recipient_id"], code: "BASE_TYPE_REQUIRED", message: "This field is required" },
          ]);
        }
        if (!state.users.has(recipient)) state.rememberUser({ id: recipient, username: `user${recipient}` });
        return { status: 200, body: state.channelJson(state.dmChannelFor(recipient)) };
      },
    },
    {
      method: "GET",
      pattern: "/guilds/:guildId",
      handler: ({ params }) => {
        if (params.guildId !== state.identity.guildId) return apiError(404, 10004, "Unknown Guild");
        const {
          channels: _c,
          threads: _t,
          members: _m,
          presences: _p,
          voice_states: _v,
          ...guild
        } = state.guildCreateJson();
        return { status: 200, body: guild };
      },
    },
    {
      method: "GET",
      pattern: "/guilds/:guildId/channels",
      handler: ({ params }) => {
        if (params.guildId !== state.identity.guildId) return apiError(404, 10004, "Unknown Guild");
        const list = [...state.channels.values()].filter((c) => c.guildId && !THREAD_TYPES.has(c.type));
        return { status: 200, body: list.map((c) => state.channelJson(c)) };
      },
    },
    {
      method: "GET",
      pattern: "/guilds/:guildId/members/:userId",
      handler: ({ params }) => {
        if (params.guildId !== state.identity.guildId) return apiError(404, 10004, "Unknown Guild");
        if (!state.users.has(params.userId!)) return apiError(404, 10007, "Unknown Member");
        return { status: 200, body: state.memberJson(params.userId!, true) };
      },
    },
    {
      method: "GET",
      pattern: "/channels/:channelId",
      handler: ({ params }) => {
        const channel = state.channels.get(params.channelId!);
        return channel ? { status: 200, body: state.channelJson(channel) } : apiError(404, 10003, "Unknown Channel");
      },
    },
    {
      method: "PATCH",
      pattern: "/channels/:channelId",
      handler: ({ params, body }) => {
        const channel = state.channels.get(params.channelId!);
        if (!channel || channel.type === 1) return apiError(404, 10003, "Unknown Channel");
        const patch = asObject(body);
        if (typeof patch.name === "string") {
          if (discordLength(patch.name) < 1 || discordLength(patch.name) > 100) {
            return invalidFormBody([
              { path: ["name"], code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." },
            ]);
          }
          channel.name = patch.name;
        }
        if (typeof patch.archived === "boolean") channel.archived = patch.archived;
        if (typeof patch.locked === "boolean") channel.locked = patch.locked;
        const isThread = THREAD_TYPES.has(channel.type);
        const data = state.channelJson(channel);
        return {
          status: 200,
          body: data,
          after: () =>
            env.gateway.dispatch(isThread ? "THREAD_UPDATE" : "CHANNEL_UPDATE", (intents: number) =>
              intents & Intent.Guilds ? data : null,
            ),
        };
      },
    },
    {
      method: "GET",
      pattern: "/channels/:channelId/messages",
      handler: ({ params, query }) => {
        if (!state.channels.has(params.channelId!)) return apiError(404, 10003, "Unknown Channel");
        const limit = Math.min(Number(query.limit ?? 50) || 50, 100);
        const list = [...state.messages.values()]
          .filter((m) => m.channelId === params.channelId && !m.deleted && !(m.flags & 64))
          .reverse()
          .slice(0, limit);
        return { status: 200, body: list.map((m) => state.messageJson(m)) };
      },
    },
    {
      method: "POST",
      pattern: "/channels/:channelId/messages",
      handler: ({ params, body, files }) => {
        const channel = textChannel(env, params.channelId!);
        if ("status" in channel) return channel;
        const message = createBotMessage(env, channel.id, body, files);
        if ("status" in message) return message;
        return { status: 200, body: state.messageJson(message), after: () => dispatchMessageCreate(env, message) };
      },
    },
    {
      method: "GET",
      pattern: "/channels/:channelId/messages/:messageId",
      handler: ({ params }) => {
        const message = findMessage(params.channelId!, params.messageId!);
        return message ? { status: 200, body: state.messageJson(message) } : apiError(404, 10008, "Unknown Message");
      },
    },
    {
      method: "PATCH",
      pattern: "/channels/:channelId/messages/:messageId",
      handler: ({ params, body, files }) => {
        const message = findMessage(params.channelId!, params.messageId!);
        if (!message) return apiError(404, 10008, "Unknown Message");
        if (message.authorId !== state.identity.botUserId) {
          return apiError(403, 50005, "Cannot edit a message authored by another user");
        }
        const edited = editMessage(env, message, body, files);
        if ("status" in edited) return edited;
        return { status: 200, body: state.messageJson(edited), after: () => dispatchMessageUpdate(env, edited) };
      },
    },
    {
      method: "DELETE",
      pattern: "/channels/:channelId/messages/:messageId",
      handler: ({ params }) => {
        const message = findMessage(params.channelId!, params.messageId!);
        if (!message) return apiError(404, 10008, "Unknown Message");
        return { status: 204, after: () => deleteMessage(env, message) };
      },
    },
    {
      method: "PUT",
      pattern: "/channels/:channelId/messages/:messageId/reactions/:emoji/@me",
      handler: ({ params }) =>
        findMessage(params.channelId!, params.messageId!) ? noContent : apiError(404, 10008, "Unknown Message"),
    },
    {
      method: "DELETE",
      pattern: "/channels/:channelId/messages/:messageId/reactions/:emoji/@me",
      handler: ({ params }) =>
        findMessage(params.channelId!, params.messageId!) ? noContent : apiError(404, 10008, "Unknown Message"),
    },
    {
      method: "POST",
      pattern: "/channels/:channelId/typing",
      handler: ({ params }) =>
        state.channels.has(params.channelId!) ? noContent : apiError(404, 10003, "Unknown Channel"),
    },
    {
      method: "PUT",
      pattern: "/channels/:channelId/thread-members/@me",
      handler: ({ params }) => {
        const channel = state.channels.get(params.channelId!);
        return channel && THREAD_TYPES.has(channel.type) ? noContent : apiError(404, 10003, "Unknown Channel");
      },
    },
    {
      method: "POST",
      pattern: "/channels/:channelId/threads",
      handler: ({ params, body }) => {
        const parent = state.channels.get(params.channelId!);
        if (!parent) return apiError(404, 10003, "Unknown Channel");
        if (![0, 5, 15].includes(parent.type))
          return apiError(400, 50024, "Cannot execute action on this channel type");
        const payload = asObject(body);
        const type =
          parent.type === 5 ? 10 : parent.type === 15 ? 11 : typeof payload.type === "number" ? payload.type : 12;
        if (!THREAD_TYPES.has(type)) {
          return invalidFormBody([
            { path: ["type"], code: "BASE_TYPE_CHOICES", message: "Value must be one of {10, 11, 12}." },
          ]);
        }
        const thread = createThread(parent, state.ids.next(), payload, type);
        if ("status" in thread) return thread;
        if (parent.type !== 15) return threadCreated(thread);
        // Forum posts need a starter message; its id equals the thread id.
        const starter = createBotMessage(env, thread.id, payload.message, []);
        if ("status" in starter) {
          state.channels.delete(thread.id);
          return invalidFormBody([
            { path: ["message"], code: "BASE_TYPE_REQUIRED", message: "This field is required" },
          ]);
        }
        state.messages.delete(starter.id);
        starter.id = thread.id;
        state.messages.set(thread.id, starter);
        return threadCreated(thread, { message: state.messageJson(starter) }, () =>
          dispatchMessageCreate(env, starter),
        );
      },
    },
    {
      method: "POST",
      pattern: "/channels/:channelId/messages/:messageId/threads",
      handler: ({ params, body }) => {
        const parent = state.channels.get(params.channelId!);
        if (!parent) return apiError(404, 10003, "Unknown Channel");
        if (![0, 5].includes(parent.type)) return apiError(400, 50024, "Cannot execute action on this channel type");
        if (!findMessage(parent.id, params.messageId!)) return apiError(404, 10008, "Unknown Message");
        if (state.channels.has(params.messageId!))
          return apiError(400, 160004, "A thread has already been created for this message");
        const thread = createThread(parent, params.messageId!, asObject(body), parent.type === 5 ? 10 : 11);
        return "status" in thread ? thread : threadCreated(thread);
      },
    },
  ];
}
