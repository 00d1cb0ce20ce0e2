import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as events from "./events.ts";
import { FakeGateway } from "./gateway.ts";
import type { RouteEnv } from "./messages.ts";
import { FakeRest } from "./rest.ts";
import { channelRoutes } from "./routes-channels.ts";
import { commandRoutes } from "./routes-commands.ts";
import { interactionRoutes } from "./routes-interactions.ts";
import { FakeState } from "./state.ts";
import type { FakeDiscord, FakeDiscordOptions } from "./types.ts";

/** Default identity of the fake (the bot user id equals the application id, as for real bots). */
export const FAKE_DISCORD_DEFAULTS = {
  applicationId: "111111111111111111",
  guildId: "222222222222222222",
  botUsername: "planbot",
  guildName: "Fake Guild",
  token: "fake-discord-bot-token",
  channels: [{ id: "100", name: "general" }],
  interactionDeadlineMs: 3000,
  interactionTokenTtlMs: 15 * 60 * 1000,
  heartbeatIntervalMs: 41_250,
} as const;

/** Starts a fake Discord (REST + gateway) on 127.0.0.1 with a random port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const d = FAKE_DISCORD_DEFAULTS;
  const applicationId = options.applicationId ?? d.applicationId;
  const state = new FakeState({
    applicationId,
    botUserId: options.botUserId ?? applicationId,
    botUsername: options.botUsername ?? d.botUsername,
    guildId: options.guildId ?? d.guildId,
    guildName: options.guildName ?? d.guildName,
  });
  for (const channel of options.channels ?? d.channels) state.addGuildChannel(channel);

  let markIdentified!: () => void;
  const identified = new Promise<void>((resolve) => (markIdentified = resolve));
  const env: RouteEnv = {
    state,
    gateway: undefined as unknown as FakeGateway,
    apiUrl: "",
    gatewayUrl: "",
    interactionDeadlineMs: options.interactionDeadlineMs ?? d.interactionDeadlineMs,
    interactionTokenTtlMs: options.interactionTokenTtlMs ?? d.interactionTokenTtlMs,
  };
  const gateway = new FakeGateway(
    {
      ready: (sessionId) => state.readyJson(sessionId, env.gatewayUrl),
      guildCreate: () => state.guildCreateJson(),
      onIdentified: () => markIdentified(),
    },
    options.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
  );
  env.gateway = gateway;

  const rest = new FakeRest([...channelRoutes(env), ...interactionRoutes(env), ...commandRoutes(env)], (path) => {
    const interaction = /^\/interactions\/([^/]+)\//.exec(path);
    if (interaction) return state.interactions.has(interaction[1]!) ? interaction[1] : undefined;
    const webhook = /^\/webhooks\/[^/]+\/([^/]+)/.exec(path);
    return webhook ? state.interactionsByToken.get(webhook[1]!)?.id : undefined;
  });

  const server = createServer((req, res) => void rest.handle(req, res));
  server.on("upgrade", (req, socket, head) => {
    const { pathname } = new URL(req.url ?? "/", "http://127.0.0.1");
    if (pathname === "/gateway" || pathname === "/gateway/") gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  env.apiUrl = `http://127.0.0.1:${port}/api`;
  env.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  let closed: Promise<void> | undefined;
  const fake: FakeDiscord = {
    apiUrl: env.apiUrl,
    gatewayUrl: env.gatewayUrl,
    token: options.token ?? d.token,
    applicationId,
    botUserId: state.identity.botUserId,
    guildId: state.identity.guildId,
    requests: rest.requests,
    gatewayFrames: gateway.frames,
    identified,
    waitForRequest: (predicate, timeoutMs) => rest.waitForRequest(predicate, timeoutMs),
    addChannel: (channel) => events.addChannel(env, channel),
    dmChannel: (userId) => {
      if (!state.users.has(userId)) state.rememberUser({ id: userId, username: `user${userId}` });
      return state.dmChannelFor(userId).id;
    },
    sendMessage: (message) => events.sendUserMessage(env, message),
    slashCommand: (cmd) => events.slashCommand(env, cmd),
    clickButton: (click) => events.clickButton(env, click),
    autocomplete: (cmd) => events.autocomplete(env, cmd),
    interactionTranscript: (interactionId) => rest.requests.filter((r) => r.interactionId === interactionId),
    channelMessages: (channelId) =>
      [...state.messages.values()]
        .filter((m) => m.channelId === channelId && m.viaRest && !m.deleted)
        .map((m) => state.channelMessageView(m)),
    registeredCommands: (guildId) => structuredClone(state.commands.get(guildId ?? "global") ?? []),
    failNext: (rule) => rest.failNext(rule),
    disconnectClient: (code) => gateway.disconnect(code),
    close: () =>
      (closed ??= (async () => {
        rest.cancelWaiters();
        await gateway.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
  return fake;
}
