import { Intent } from "./gateway.ts";
import { SnowflakeSource } from "./snowflake.ts";
import type { FakeChannelInput, FakeChannelMessage, FakeUser } from "./types.ts";

/** Every permission bit (Administrator included), as Discord's decimal string. */
export const ALL_PERMISSIONS = ((1n << 51n) - 1n).toString();

/** Channel types the fake treats as threads. */
export const THREAD_TYPES = new Set([10, 11, 12]);

/** Message flags the fake sets itself. */
export const MessageFlag = { Ephemeral: 64, Loading: 128 } as const;

/** A channel of the fake guild, a thread, or a DM. */
export interface ChannelRecord {
  id: string;
  type: number;
  name: string;
  guildId: string | undefined;
  parentId: string | undefined;
  recipientId: string | undefined;
  ownerId: string | undefined;
  position: number;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  createdAt: string;
  lastMessageId: string | null;
}

/** A message in the fake, whether a user sent it (gateway) or the bot created it (REST). */
export interface MessageRecord {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: unknown[];
  flags: number;
  type: number;
  timestamp: string;
  editedAt: number | null;
  messageReference: { type: number; message_id: string; channel_id: string; guild_id?: string } | undefined;
  mentionIds: string[];
  viaRest: boolean;
  interactionId: string | undefined;
  deleted: boolean;
}

/** An interaction the fake dispatched and the state of its responses. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  name: string | undefined;
  channelId: string;
  user: FakeUser;
  dispatchedAt: number;
  acknowledged: boolean;
  callbackType: number | undefined;
  originalMessageId: string | undefined;
  componentMessageId: string | undefined;
}

/** A registered application command with the fields Discord adds. */
export type CommandRecord = Record<string, unknown> & { id: string; name: string; type: number };

type Json = Record<string, unknown>;

/** Identity of the fake bot and guild. */
export interface Identity {
  applicationId: string;
  botUserId: string;
  botUsername: string;
  guildId: string;
  guildName: string;
}

/** The fake's world: users, channels, messages, interactions, commands, and their Discord JSON shapes. */
export class FakeState {
  readonly ids = new SnowflakeSource();
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  /** Keyed by `"global"` or a guild id. */
  readonly commands = new Map<string, CommandRecord[]>();
  readonly commandIdsByName = new Map<string, string>();
  readonly dmByUser = new Map<string, string>();
  readonly identity: Identity;
  readonly startedAt = new Date().toISOString();
  readonly ownerId = "333333333333333333";

  constructor(identity: Identity) {
    this.identity = identity;
    this.users.set(identity.botUserId, { id: identity.botUserId, username: identity.botUsername, bot: true });
  }

  /** The bot as a FakeUser. */
  get bot(): FakeUser {
    return this.users.get(this.identity.botUserId)!;
  }

  /** Remembers a user (later sightings refresh username/bot). */
  rememberUser(user: FakeUser): void {
    this.users.set(user.id, { ...user });
  }

  /** A user by id; unknown ids get a placeholder name. */
  user(id: string): FakeUser {
    return this.users.get(id) ?? { id, username: `user${id}` };
  }

  /** Adds a guild channel or thread; returns the record. */
  addGuildChannel(input: FakeChannelInput & { ownerId?: string; autoArchiveDuration?: number }): ChannelRecord {
    const record: ChannelRecord = {
      id: input.id,
      type: input.type ?? 0,
      name: input.name,
      guildId: this.identity.guildId,
      parentId: input.parentId,
      recipientId: undefined,
      ownerId: input.ownerId ?? (THREAD_TYPES.has(input.type ?? 0) ? this.identity.botUserId : undefined),
      position: [...this.channels.values()].filter((c) => c.guildId && !THREAD_TYPES.has(c.type)).length,
      archived: false,
      locked: false,
      autoArchiveDuration: input.autoArchiveDuration ?? 4320,
      createdAt: new Date().toISOString(),
      lastMessageId: null,
    };
    this.channels.set(record.id, record);
    return record;
  }

  /** The DM channel with a user, created on demand. */
  dmChannelFor(userId: string): ChannelRecord {
    const existing = this.dmByUser.get(userId);
    if (existing) return this.channels.get(existing)!;
    const record: ChannelRecord = {
      id: this.ids.next(),
      type: 1,
      name: "",
      guildId: undefined,
      parentId: undefined,
      recipientId: userId,
      ownerId: undefined,
      position: 0,
      archived: false,
      locked: false,
      autoArchiveDuration: 0,
      createdAt: new Date().toISOString(),
      lastMessageId: null,
    };
    this.channels.set(record.id, record);
    this.dmByUser.set(userId, record.id);
    return record;
  }

  /** Discord user object. */
  userJson(id: string): Json {
    const user = this.user(id);
    return {
      id: user.id,
      username: user.username,
      discriminator: "0",
      global_name: user.bot ? null : user.username,
      avatar: null,
      bot: user.bot ?? false,
      system: false,
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
    };
  }

  /** Guild member object (`withUser` for GUILD_CREATE and interactions; messages carry the user as `author`). */
  memberJson(userId: string, withUser: boolean, permissions?: string): Json {
    return {
      ...(withUser ? { user: this.userJson(userId) } : {}),
      roles: [],
      nick: null,
      avatar: null,
      banner: null,
      joined_at: this.startedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      ...(permissions ? { permissions } : {}),
    };
  }

  /** Discord channel object (guild channel, thread or DM). */
  channelJson(channel: ChannelRecord): Json {
    if (channel.type === 1) {
      return {
        id: channel.id,
        type: 1,
        last_message_id: channel.lastMessageId,
        flags: 0,
        recipients: [this.userJson(channel.recipientId!)],
      };
    }
    const base: Json = {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      parent_id: channel.parentId ?? null,
      last_message_id: channel.lastMessageId,
      rate_limit_per_user: 0,
      flags: 0,
      nsfw: false,
    };
    if (THREAD_TYPES.has(channel.type)) {
      return {
        ...base,
        owner_id: channel.ownerId,
        message_count: 0,
        member_count: 1,
        total_message_sent: 0,
        thread_metadata: {
          archived: channel.archived,
          auto_archive_duration: channel.autoArchiveDuration,
          archive_timestamp: channel.createdAt,
          locked: channel.locked,
          create_timestamp: channel.createdAt,
          ...(channel.type === 12 ? { invitable: true } : {}),
        },
      };
    }
    return {
      ...base,
      position: channel.position,
      permission_overwrites: [],
      topic: null,
      default_auto_archive_duration: 4320,
    };
  }

  /** Discord message object (REST answers and MESSAGE_CREATE/UPDATE payloads). */
  messageJson(message: MessageRecord, options: { gateway?: boolean; nested?: boolean } = {}): Json {
    const channel = this.channels.get(message.channelId);
    const guildId = channel?.guildId;
    const interaction = message.interactionId ? this.interactions.get(message.interactionId) : undefined;
    const json: Json = {
      id: message.id,
      type: message.type,
      channel_id: message.channelId,
      author: this.userJson(message.authorId),
      content: message.content,
      timestamp: message.timestamp,
      edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
      tts: false,
      mention_everyone: false,
      mentions: message.mentionIds.map((id) => ({
        ...this.userJson(id),
        ...(guildId && options.gateway ? { member: this.memberJson(id, false) } : {}),
      })),
      mention_roles: [],
      mention_channels: [],
      attachments: message.attachments,
      embeds: message.embeds,
      components: message.components,
      pinned: false,
      flags: message.flags,
    };
    if (message.messageReference) {
      json.message_reference = message.messageReference;
      if (!options.nested) {
        const referenced = this.messages.get(message.messageReference.message_id);
        json.referenced_message =
          referenced && !referenced.deleted ? this.messageJson(referenced, { nested: true }) : null;
      }
    }
    if (interaction) {
      json.webhook_id = this.identity.applicationId;
      json.application_id = this.identity.applicationId;
      json.interaction_metadata = {
        id: interaction.id,
        type: interaction.type,
        user: this.userJson(interaction.user.id),
        authorizing_integration_owners: guildId ? { "0": guildId } : { "1": interaction.user.id },
        ...(interaction.name ? { name: interaction.name } : {}),
      };
    }
    if (options.gateway) {
      if (guildId) {
        json.guild_id = guildId;
        json.member = this.memberJson(message.authorId, false);
      }
      json.channel_type = channel?.type ?? 0;
    }
    return json;
  }

  /** A message as `channelMessages` reports it (a copy). */
  channelMessageView(message: MessageRecord): FakeChannelMessage {
    return structuredClone({
      id: message.id,
      content: message.content,
      components: message.components,
      embeds: message.embeds,
      attachments: message.attachments,
      flags: message.flags,
      ...(message.messageReference ? { message_reference: message.messageReference } : {}),
      ...(message.interactionId ? { interactionId: message.interactionId } : {}),
      editedAt: message.editedAt,
    });
  }

  /** Builds MESSAGE_CREATE/UPDATE data for a session, applying the MessageContent intent rule. */
  messageDispatch(message: MessageRecord): (intents: number) => Json | null {
    return (intents) => {
      const channel = this.channels.get(message.channelId);
      const isDm = channel?.type === 1;
      if (isDm ? !(intents & Intent.DirectMessages) : !(intents & Intent.GuildMessages)) return null;
      const json = this.messageJson(message, { gateway: true });
      const privileged =
        (intents & Intent.MessageContent) !== 0 ||
        isDm ||
        message.authorId === this.identity.botUserId ||
        message.mentionIds.includes(this.identity.botUserId);
      if (!privileged) {
        json.content = "";
        json.embeds = [];
        json.attachments = [];
        json.components = [];
      }
      return json;
    };
  }

  /** The READY payload. */
  readyJson(sessionId: string, resumeUrl: string): Json {
    return {
      v: 10,
      user: { ...this.userJson(this.identity.botUserId), verified: true, mfa_enabled: false, email: null },
      guilds: [{ id: this.identity.guildId, unavailable: true }],
      session_id: sessionId,
      session_type: "normal",
      resume_gateway_url: resumeUrl,
      shard: [0, 1],
      application: { id: this.identity.applicationId, flags: 1 << 19 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      auth: {},
      _trace: ["fake-discord"],
    };
  }

  /** The GUILD_CREATE payload with channels, active threads, @everyone and the bot as member. */
  guildCreateJson(): Json {
    const guildChannels = [...this.channels.values()].filter((c) => c.guildId);
    const strip = (c: ChannelRecord) => {
      const { guild_id: _omit, ...rest } = this.channelJson(c);
      return rest;
    };
    const memberIds = new Set([this.identity.botUserId]);
    return {
      id: this.identity.guildId,
      name: this.identity.guildName,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: "en-US",
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      widget_enabled: false,
      max_members: 500000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      features: [],
      roles: [
        {
          id: this.identity.guildId,
          name: "@everyone",
          permissions: ALL_PERMISSIONS,
          position: 0,
          color: 0,
          colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
          hoist: false,
          managed: false,
          mentionable: false,
          icon: null,
          unicode_emoji: null,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      soundboard_sounds: [],
      joined_at: this.startedAt,
      large: false,
      unavailable: false,
      lazy: true,
      member_count: memberIds.size,
      members: [...memberIds].map((id) => this.memberJson(id, true)),
      voice_states: [],
      presences: [],
      channels: guildChannels.filter((c) => !THREAD_TYPES.has(c.type)).map(strip),
      threads: guildChannels.filter((c) => THREAD_TYPES.has(c.type) && !c.archived).map((c) => this.channelJson(c)),
      stage_instances: [],
      guild_scheduled_events: [],
      embedded_activities: [],
      incidents_data: null,
      hub_type: null,
    };
  }

  /** The `channel` object interactions carry (with the bot's permissions). */
  interactionChannelJson(channel: ChannelRecord): Json {
    const json = this.channelJson(channel);
    return channel.type === 1 ? json : { ...json, permissions: ALL_PERMISSIONS };
  }

  /** The stable command id used for an interaction with that name (registered id when there is one). */
  commandId(name: string): string {
    for (const list of this.commands.values()) {
      const found = list.find((c) => c.name === name);
      if (found) return found.id;
    }
    let id = this.commandIdsByName.get(name);
    if (!id) {
      id = this.ids.next();
      this.commandIdsByName.set(name, id);
    }
    return id;
  }
}
