import { dispatchChannelCreate, mentionedUserIds, type RouteEnv } from "./messages.ts";
import { randomToken } from "./snowflake.ts";
import { ALL_PERMISSIONS, type ChannelRecord, type InteractionRecord, type MessageRecord } from "./state.ts";
import type { FakeChannelInput, FakeCommandOption, FakeInteractionHandle, FakeUser } from "./types.ts";

type Json = Record<string, unknown>;

function requireChannel(env: RouteEnv, channelId: string, user: FakeUser): ChannelRecord {
  const channel = env.state.channels.get(channelId);
  if (!channel)
    throw new Error(`fake-discord: unknown channel ${channelId} (add it with addChannel or dmChannel first)`);
  if (channel.type === 1 && channel.recipientId !== user.id) {
    throw new Error(`fake-discord: channel ${channelId} is the DM of user ${channel.recipientId}, not of ${user.id}`);
  }
  return channel;
}

function requireSession(env: RouteEnv): void {
  if (!env.gateway.hasSession())
    throw new Error("fake-discord: no gateway session (await fake.identified first; or the fake is closed)");
}

/** Adds a guild channel or thread and dispatches CHANNEL_CREATE / THREAD_CREATE. */
export function addChannel(env: RouteEnv, input: FakeChannelInput): void {
  if (env.state.channels.has(input.id)) throw new Error(`fake-discord: channel ${input.id} already exists`);
  const channel = env.state.addGuildChannel(input);
  void dispatchChannelCreate(env, channel);
}

/** A user's message: stored, then dispatched as MESSAGE_CREATE (resolves once written to the socket). */
export async function sendUserMessage(
  env: RouteEnv,
  input: { channelId: string; author: FakeUser; content: string; referencedMessageId?: string; mentionsBot?: boolean },
): Promise<{ id: string }> {
  requireSession(env);
  const { state } = env;
  const channel = requireChannel(env, input.channelId, input.author);
  state.rememberUser(input.author);
  const botMention = `<@${state.identity.botUserId}>`;
  const content =
    input.mentionsBot && !mentionedUserIds(input.content).includes(state.identity.botUserId)
      ? `${botMention} ${input.content}`
      : input.content;
  const mentionIds = mentionedUserIds(content);
  let messageReference: MessageRecord["messageReference"];
  if (input.referencedMessageId !== undefined) {
    const target = state.messages.get(input.referencedMessageId);
    if (!target || target.deleted || target.channelId !== channel.id) {
      throw new Error(
        `fake-discord: cannot reply to unknown message ${input.referencedMessageId} in channel ${channel.id}`,
      );
    }
    messageReference = {
      type: 0,
      message_id: target.id,
      channel_id: target.channelId,
      ...(channel.guildId ? { guild_id: channel.guildId } : {}),
    };
    // Discord clients ping the replied-to author by default.
    if (!mentionIds.includes(target.authorId)) mentionIds.push(target.authorId);
  }
  const message: MessageRecord = {
    id: state.ids.next(),
    channelId: channel.id,
    authorId: input.author.id,
    content,
    embeds: [],
    components: [],
    attachments: [],
    flags: 0,
    type: messageReference ? 19 : 0,
    timestamp: new Date().toISOString(),
    editedAt: null,
    messageReference,
    mentionIds,
    viaRest: false,
    interactionId: undefined,
    deleted: false,
  };
  state.messages.set(message.id, message);
  channel.lastMessageId = message.id;
  await env.gateway.dispatch("MESSAGE_CREATE", state.messageDispatch(message));
  return { id: message.id };
}

function resolvedFor(env: RouteEnv, options: FakeCommandOption[] | undefined, inGuild: boolean): Json | undefined {
  const users: Json = {};
  const members: Json = {};
  const channels: Json = {};
  const walk = (list: FakeCommandOption[] | undefined) => {
    for (const option of list ?? []) {
      walk(option.options);
      const value = String(option.value);
      if ((option.type === 6 || option.type === 9) && env.state.users.has(value)) {
        users[value] = env.state.userJson(value);
        if (inGuild) members[value] = { ...env.state.memberJson(value, false), permissions: ALL_PERMISSIONS };
      }
      const channel = option.type === 7 ? env.state.channels.get(value) : undefined;
      if (channel) channels[value] = env.state.interactionChannelJson(channel);
    }
  };
  walk(options);
  const resolved: Json = {};
  if (Object.keys(users).length) resolved.users = users;
  if (Object.keys(members).length) resolved.members = members;
  if (Object.keys(channels).length) resolved.channels = channels;
  return Object.keys(resolved).length ? resolved : undefined;
}

/** Builds, records and dispatches an INTERACTION_CREATE; the response deadline starts when it is written. */
export async function dispatchInteraction(
  env: RouteEnv,
  input: {
    type: number;
    user: FakeUser;
    channelId: string;
    name?: string;
    data: Json;
    message?: Json;
    componentMessageId?: string;
  },
): Promise<FakeInteractionHandle> {
  requireSession(env);
  const { state } = env;
  const channel = requireChannel(env, input.channelId, input.user);
  state.rememberUser(input.user);
  const inGuild = channel.guildId !== undefined;
  const record: InteractionRecord = {
    id: state.ids.next(),
    token: randomToken("interaction"),
    type: input.type,
    name: input.name,
    channelId: channel.id,
    user: input.user,
    dispatchedAt: Date.now(),
    acknowledged: false,
    callbackType: undefined,
    originalMessageId: undefined,
    componentMessageId: input.componentMessageId,
  };
  state.interactions.set(record.id, record);
  state.interactionsByToken.set(record.token, record);
  const payload: Json = {
    id: record.id,
    application_id: state.identity.applicationId,
    type: input.type,
    token: record.token,
    version: 1,
    data: input.data,
    channel_id: channel.id,
    channel: state.interactionChannelJson(channel),
    app_permissions: ALL_PERMISSIONS,
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": inGuild ? channel.guildId : "0" },
    context: inGuild ? 0 : 1,
    attachment_size_limit: 10 * 1024 * 1024,
    ...(input.message ? { message: input.message } : {}),
    ...(inGuild
      ? {
          guild_id: channel.guildId,
          guild: { id: channel.guildId, locale: "en-US", features: [] },
          guild_locale: "en-US",
          member: state.memberJson(input.user.id, true, ALL_PERMISSIONS),
        }
      : { user: state.userJson(input.user.id) }),
  };
  record.dispatchedAt = Date.now();
  await env.gateway.dispatch("INTERACTION_CREATE", payload);
  record.dispatchedAt = Date.now();
  return { id: record.id, token: record.token };
}

/** A chat-input command (type 2) with typed options (and `resolved` for user/channel options the fake knows). */
export async function slashCommand(
  env: RouteEnv,
  cmd: { name: string; options?: FakeCommandOption[]; user: FakeUser; channelId: string },
): Promise<FakeInteractionHandle> {
  const channel = env.state.channels.get(cmd.channelId);
  const resolved = resolvedFor(env, cmd.options, channel?.guildId !== undefined);
  const guildCommand = env.state.commands.get(env.state.identity.guildId)?.some((c) => c.name === cmd.name) ?? false;
  return await dispatchInteraction(env, {
    type: 2,
    user: cmd.user,
    channelId: cmd.channelId,
    name: cmd.name,
    data: {
      id: env.state.commandId(cmd.name),
      name: cmd.name,
      type: 1,
      ...(cmd.options ? { options: cmd.options } : {}),
      ...(resolved ? { resolved } : {}),
      ...(guildCommand ? { guild_id: env.state.identity.guildId } : {}),
    },
  });
}

/** An autocomplete request (type 4); when no option is marked focused, the last one is. */
export async function autocomplete(
  env: RouteEnv,
  cmd: { name: string; options: FakeCommandOption[]; user: FakeUser; channelId: string },
): Promise<FakeInteractionHandle> {
  const options = structuredClone(cmd.options);
  const flat: FakeCommandOption[] = [];
  const walk = (list: FakeCommandOption[]) => {
    for (const o of list) {
      if (o.options) walk(o.options);
      else flat.push(o);
    }
  };
  walk(options);
  if (!flat.some((o) => o.focused)) {
    const last = flat[flat.length - 1];
    if (last) last.focused = true;
  }
  return await dispatchInteraction(env, {
    type: 4,
    user: cmd.user,
    channelId: cmd.channelId,
    name: cmd.name,
    data: { id: env.state.commandId(cmd.name), name: cmd.name, type: 1, options },
  });
}

function findButton(components: unknown, customId: string): Json | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const raw of components) {
    if (typeof raw !== "object" || raw === null) continue;
    const component = raw as Json;
    if (component.type === 2 && component.custom_id === customId) return component;
    const nested =
      findButton(component.components, customId) ??
      (component.accessory ? findButton([component.accessory], customId) : undefined);
    if (nested) return nested;
  }
  return undefined;
}

/** A button click (type 3, component_type 2) on a message; a stored message must carry an enabled button with that id. */
export async function clickButton(
  env: RouteEnv,
  click: { customId: string; user: FakeUser; channelId: string; messageId: string },
): Promise<FakeInteractionHandle> {
  const { state } = env;
  let message = state.messages.get(click.messageId);
  if (message) {
    if (message.deleted) throw new Error(`fake-discord: message ${click.messageId} was deleted`);
    if (message.channelId !== click.channelId) {
      throw new Error(
        `fake-discord: message ${click.messageId} is in channel ${message.channelId}, not ${click.channelId}`,
      );
    }
    const button = findButton(message.components, click.customId);
    if (!button)
      throw new Error(`fake-discord: message ${click.messageId} has no button with custom_id ${click.customId}`);
    if (button.disabled === true) throw new Error(`fake-discord: button ${click.customId} is disabled`);
  } else {
    // A message the fake never saw (e.g. from before a restart): synthesize a bot message carrying the button
    // and keep it (not listed by channelMessages) so an UPDATE_MESSAGE callback has something to edit.
    message = {
      id: click.messageId,
      channelId: click.channelId,
      authorId: state.identity.botUserId,
      content: "",
      embeds: [],
      components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: click.customId, label: click.customId }] }],
      attachments: [],
      flags: 0,
      type: 0,
      timestamp: new Date().toISOString(),
      editedAt: null,
      messageReference: undefined,
      mentionIds: [],
      viaRest: false,
      interactionId: undefined,
      deleted: false,
    };
    state.messages.set(message.id, message);
  }
  return await dispatchInteraction(env, {
    type: 3,
    user: click.user,
    channelId: click.channelId,
    data: { custom_id: click.customId, component_type: 2 },
    message: state.messageJson(message),
    componentMessageId: message.id,
  });
}
