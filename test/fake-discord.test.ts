import { once } from "node:events";
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  MessageFlags,
  Partials,
  Routes,
  type ClientEvents,
  type Message,
  type TextChannel,
} from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type FakeUser } from "./fakes/discord/index.ts";

const alice: FakeUser = { id: "500000000000000001", username: "alice" };
const ALL_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

let fake: FakeDiscord | undefined;
let clients: Client[] = [];

afterEach(async () => {
  for (const client of clients) await client.destroy();
  clients = [];
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeDiscordOptions = {}, intents: GatewayIntentBits[] = ALL_INTENTS) {
  fake = await startFakeDiscord(options);
  const client = new Client({
    intents,
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl, version: "10", retries: 0 },
  });
  clients.push(client);
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

/** Resolves with the first emission of `event` whose arguments satisfy `predicate`. */
function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  predicate: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const listener = (...args: ClientEvents[K]) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}

function fromUser(userId: string) {
  return (message: Message) => message.author.id === userId;
}

async function general(client: Client): Promise<TextChannel> {
  const channel = await client.channels.fetch("100");
  if (!channel || channel.type !== ChannelType.GuildText) throw new Error("general is not a text channel");
  return channel;
}

describe("fake Discord with the real discord.js Client", () => {
  it("logs in: gateway/bot, IDENTIFY with intents, READY + GUILD_CREATE, ClientReady", async () => {
    const { fake, client } = await start();
    await fake.identified;
    expect(client.user?.id).toBe(fake.botUserId);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get("100")?.name).toBe("general");
    expect(guild?.members.me?.id).toBe(fake.botUserId);
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain("GET /gateway/bot 200");
    const identify = fake.gatewayFrames.find((f) => f.op === 2);
    expect(identify).toBeDefined();
    expect((identify!.d as { intents: number }).intents).toBe(1 | 512 | 4096 | 32768);
  });

  it("delivers MESSAGE_CREATE to messageCreate and records message.reply with message_reference", async () => {
    const { fake, client } = await start();
    const received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    const sent = await fake.sendMessage({ channelId: "100", author: alice, content: "hello bot" });
    const [message] = await received;
    expect(message.id).toBe(sent.id);
    expect(message.content).toBe("hello bot");
    expect(message.guildId).toBe(fake.guildId);
    expect(message.author.username).toBe("alice");

    const ownEcho = nextEvent(client, Events.MessageCreate, fromUser(fake.botUserId));
    const reply = await message.reply("pong");
    expect(reply.content).toBe("pong");
    const request = await fake.waitForRequest((r) => r.method === "POST" && r.path === "/channels/100/messages");
    expect(request.status).toBe(200);
    expect(request.body).toMatchObject({ content: "pong", message_reference: { message_id: sent.id } });
    expect(fake.channelMessages("100")).toEqual([
      expect.objectContaining({
        id: reply.id,
        content: "pong",
        message_reference: expect.objectContaining({ message_id: sent.id }),
      }),
    ]);
    // Like Discord, the bot receives its own messages on the gateway too.
    const [echo] = await ownEcho;
    expect(echo.id).toBe(reply.id);
  });

  it("marks a mention of the bot in content and mentions", async () => {
    const { fake, client } = await start();
    const received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    await fake.sendMessage({ channelId: "100", author: alice, content: "plan this", mentionsBot: true });
    const [message] = await received;
    expect(message.content).toBe(`<@${fake.botUserId}> plan this`);
    expect(message.mentions.has(client.user!)).toBe(true);
  });

  it("dispatches a slash command with typed options; deferReply, editReply and followUp form the transcript", async () => {
    const { fake, client } = await start();
    const received = nextEvent(client, Events.InteractionCreate);
    const handle = await fake.slashCommand({
      name: "plan",
      options: [
        { name: "project", type: 3, value: "alpha" },
        { name: "budget", type: 4, value: 3 },
        { name: "urgent", type: 5, value: true },
      ],
      user: alice,
      channelId: "100",
    });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    expect(interaction.id).toBe(handle.id);
    expect(interaction.commandName).toBe("plan");
    expect(interaction.options.getString("project", true)).toBe("alpha");
    expect(interaction.options.getInteger("budget")).toBe(3);
    expect(interaction.options.getBoolean("urgent")).toBe(true);
    expect(interaction.user.id).toBe(alice.id);
    expect(interaction.inGuild()).toBe(true);
    expect(interaction.channelId).toBe("100");

    await interaction.deferReply();
    const edited = await interaction.editReply("plan ready");
    const follow = await interaction.followUp("more details");
    expect(edited.content).toBe("plan ready");
    expect(follow.content).toBe("more details");

    const transcript = fake.interactionTranscript(handle.id);
    expect(transcript.map((r) => `${r.method} ${r.path.replace(handle.token, "TOKEN")} ${r.status}`)).toEqual([
      `POST /interactions/${handle.id}/TOKEN/callback 204`,
      `PATCH /webhooks/${fake.applicationId}/TOKEN/messages/@original 200`,
      `POST /webhooks/${fake.applicationId}/TOKEN 200`,
    ]);
    expect(transcript[0]?.body).toMatchObject({ type: 5 });
    expect(transcript[2]?.query).toEqual({ wait: "true" });
    expect(fake.channelMessages("100").map((m) => [m.content, m.interactionId])).toEqual([
      ["plan ready", handle.id],
      ["more details", handle.id],
    ]);
  });

  it("answers autocomplete with choices (callback type 8)", async () => {
    const { fake, client } = await start();
    const received = nextEvent(client, Events.InteractionCreate);
    const handle = await fake.autocomplete({
      name: "plan",
      options: [{ name: "project", type: 3, value: "al" }],
      user: alice,
      channelId: "100",
    });
    const [interaction] = await received;
    if (!interaction.isAutocomplete()) throw new Error("expected autocomplete");
    expect(interaction.options.getFocused()).toBe("al");
    await interaction.respond([{ name: "alpha", value: "alpha" }]);
    const [callback] = fake.interactionTranscript(handle.id);
    expect(callback?.body).toEqual({ type: 8, data: { choices: [{ name: "alpha", value: "alpha" }] } });
  });

  it("delivers a button click with its customId; update() edits the message", async () => {
    const { fake, client } = await start();
    const channel = await general(client);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("approve:42").setLabel("Approve").setStyle(ButtonStyle.Success),
    );
    const sent = await channel.send({ content: "Approve plan 42?", components: [row] });
    expect(fake.channelMessages("100")[0]?.components).toHaveLength(1);

    const received = nextEvent(client, Events.InteractionCreate);
    const handle = await fake.clickButton({
      customId: "approve:42",
      user: alice,
      channelId: "100",
      messageId: sent.id,
    });
    const [interaction] = await received;
    if (!interaction.isButton()) throw new Error("expected a button");
    expect(interaction.customId).toBe("approve:42");
    expect(interaction.message.id).toBe(sent.id);
    expect(interaction.user.id).toBe(alice.id);

    await interaction.update({ content: "Approved by alice", components: [] });
    expect(fake.interactionTranscript(handle.id)[0]?.body).toMatchObject({ type: 7 });
    expect(fake.channelMessages("100")).toEqual([
      expect.objectContaining({ id: sent.id, content: "Approved by alice", components: [] }),
    ]);
    await expect(
      fake.clickButton({ customId: "nope", user: alice, channelId: "100", messageId: sent.id }),
    ).rejects.toThrow(/no button/);
  });

  it("rejects content over 2000 characters with 50035 (channel messages and interaction replies)", async () => {
    const { fake, client } = await start();
    const channel = await general(client);
    const error = await channel.send("x".repeat(2001)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect((error as DiscordAPIError).status).toBe(400);
    await expect(channel.send("x".repeat(2000))).resolves.toBeDefined();

    const received = nextEvent(client, Events.InteractionCreate);
    await fake.slashCommand({ name: "plan", user: alice, channelId: "100" });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    const tooLong = await interaction.reply("y".repeat(2001)).catch((e: unknown) => e);
    expect((tooLong as DiscordAPIError).code).toBe(50035);
    // A rejected response does not acknowledge the interaction.
    await interaction.reply("short");
    expect(fake.channelMessages("100").map((m) => m.content)).toEqual(["x".repeat(2000), "short"]);
  });

  it("gives 10062 for a first response after the deadline and 40060 for a second answer", async () => {
    const { fake, client } = await start({ interactionDeadlineMs: 150 });
    let received = nextEvent(client, Events.InteractionCreate);
    await fake.slashCommand({ name: "plan", user: alice, channelId: "100" });
    let [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    await new Promise((resolve) => setTimeout(resolve, 250));
    const late = await interaction.reply("too late").catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DiscordAPIError);
    expect((late as DiscordAPIError).code).toBe(10062);
    expect((late as DiscordAPIError).status).toBe(404);

    received = nextEvent(client, Events.InteractionCreate);
    const handle = await fake.slashCommand({ name: "plan", user: alice, channelId: "100" });
    [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    await interaction.reply("in time");
    // discord.js refuses a second reply itself, so send the raw callback.
    const twice = await client.rest
      .post(Routes.interactionCallback(handle.id, handle.token), {
        body: { type: 4, data: { content: "again" } },
        auth: false,
      })
      .catch((e: unknown) => e);
    expect((twice as DiscordAPIError).code).toBe(40060);
    expect(fake.interactionTranscript(handle.id).map((r) => r.status)).toEqual([204, 400]);
  });

  it("injects a 429 that discord.js waits out and retries: the message is delivered exactly once", async () => {
    const { fake, client } = await start();
    const channel = await general(client);
    fake.failNext({ method: "POST", pathIncludes: "/channels/100/messages", status: 429, retryAfterSeconds: 0.2 });
    const message = await channel.send("after the rate limit");
    expect(message.content).toBe("after the rate limit");
    const attempts = fake.requests.filter((r) => r.method === "POST" && r.path === "/channels/100/messages");
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[0]?.response).toEqual({ message: "You are being rate limited.", retry_after: 0.2, global: false });
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(200);
    expect(fake.channelMessages("100").map((m) => m.content)).toEqual(["after the rate limit"]);
  });

  it("retries a global 429 on an interaction callback within the deadline", async () => {
    const { fake, client } = await start();
    const received = nextEvent(client, Events.InteractionCreate);
    const handle = await fake.slashCommand({ name: "plan", user: alice, channelId: "100" });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    fake.failNext({ pathIncludes: "/callback", status: 429, retryAfterSeconds: 0.1, global: true });
    await interaction.reply("eventually");
    expect(fake.interactionTranscript(handle.id).map((r) => r.status)).toEqual([429, 204]);
    expect(fake.channelMessages("100").map((m) => m.content)).toEqual(["eventually"]);
  });

  it("turns the first follow-up after deferReply into the reply, as Discord does", async () => {
    const { fake, client } = await start();
    const received = nextEvent(client, Events.InteractionCreate);
    const handle = await fake.slashCommand({ name: "plan", user: alice, channelId: "100" });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect(fake.channelMessages("100")).toEqual([expect.objectContaining({ content: "", flags: 64 | 128 })]);
    const first = await interaction.followUp("first");
    const second = await interaction.followUp("second");
    const original = await interaction.fetchReply();
    expect(original.id).toBe(first.id);
    expect(second.id).not.toBe(first.id);
    expect(fake.channelMessages("100").map((m) => [m.content, m.flags])).toEqual([
      ["first", 64],
      ["second", 0],
    ]);
    expect(fake.interactionTranscript(handle.id)).toHaveLength(4);
  });

  it("surfaces an injected 500 as an HTTPError when retries are off", async () => {
    const { fake, client } = await start();
    const channel = await general(client);
    fake.failNext({ pathIncludes: "/typing", status: 500 });
    const error = await channel.sendTyping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(500);
    await channel.sendTyping();
    expect(fake.requests.filter((r) => r.path === "/channels/100/typing").map((r) => r.status)).toEqual([500, 204]);
  });

  it("creates a thread with channel.threads.create; a message in it reaches the client", async () => {
    const { fake, client } = await start();
    const channel = await general(client);
    const thread = await channel.threads.create({ name: "plan alpha" });
    expect(thread.parentId).toBe("100");
    expect(thread.type).toBe(ChannelType.PublicThread);
    const request = await fake.waitForRequest((r) => r.path === "/channels/100/threads");
    expect(request.body).toMatchObject({ name: "plan alpha", type: 11 });

    const received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    await fake.sendMessage({ channelId: thread.id, author: alice, content: "in the thread" });
    const [message] = await received;
    expect(message.channelId).toBe(thread.id);
    expect(message.channel.isThread()).toBe(true);
    await message.channel.send("bot in thread");
    expect(fake.channelMessages(thread.id).map((m) => m.content)).toEqual(["bot in thread"]);
  });

  it("starts a thread from a message and announces channels added later", async () => {
    const { fake, client } = await start();
    const channel = await general(client);
    const starter = await channel.send("starter");
    const thread = await starter.startThread({ name: "from message" });
    expect(thread.id).toBe(starter.id);

    const created = nextEvent(client, Events.ChannelCreate);
    fake.addChannel({ id: "101", name: "plans" });
    const [newChannel] = await created;
    expect(newChannel.id).toBe("101");
    const threadCreated = nextEvent(client, Events.ThreadCreate);
    fake.addChannel({ id: "102", name: "side thread", type: 11, parentId: "101" });
    const [newThread] = await threadCreated;
    expect(newThread.parentId).toBe("101");
  });

  it("delivers DMs (partial channel) and lets the bot answer and open DMs", async () => {
    const { fake, client } = await start();
    const dm = fake.dmChannel(alice.id);
    const received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    await fake.sendMessage({ channelId: dm, author: alice, content: "private hello" });
    const [message] = await received;
    expect(message.content).toBe("private hello");
    expect(message.guildId).toBeNull();
    expect(message.channel.type).toBe(ChannelType.DM);
    expect(message.channelId).toBe(dm);
    await message.reply("private answer");
    expect(fake.channelMessages(dm).map((m) => m.content)).toEqual(["private answer"]);

    // The DM channel is cached now, so discord.js posts straight to it.
    const again = await client.users.send(alice.id, "unprompted");
    expect(again.channelId).toBe(dm);
    // A user without a cached DM: discord.js opens one first.
    const bob: FakeUser = { id: "500000000000000002", username: "bob" };
    const toBob = await client.users.send(bob.id, "hello bob");
    const open = await fake.waitForRequest((r) => r.method === "POST" && r.path === "/users/@me/channels");
    expect(open.body).toEqual({ recipient_id: bob.id });
    expect(toBob.channelId).toBe(fake.dmChannel(bob.id));
    expect(fake.channelMessages(fake.dmChannel(bob.id)).map((m) => m.content)).toEqual(["hello bob"]);
  });

  it("dispatches slash commands in DMs with user instead of member", async () => {
    const { fake, client } = await start();
    const dm = fake.dmChannel(alice.id);
    const received = nextEvent(client, Events.InteractionCreate);
    await fake.slashCommand({ name: "status", user: alice, channelId: dm });
    const [interaction] = await received;
    expect(interaction.user.id).toBe(alice.id);
    expect(interaction.member).toBeNull();
    expect(interaction.inGuild()).toBe(false);
    expect(interaction.channelId).toBe(dm);
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    await interaction.reply({ content: "all good" });
    expect(fake.channelMessages(dm).map((m) => m.content)).toEqual(["all good"]);
  });

  it("registers guild and global commands and validates names", async () => {
    const { fake, client } = await start();
    const set = await client.application!.commands.set(
      [
        {
          name: "plan",
          description: "Plan a project",
          options: [{ name: "project", description: "Name", type: 3, required: true }],
        },
      ],
      fake.guildId,
    );
    expect(set.first()?.name).toBe("plan");
    expect(fake.registeredCommands(fake.guildId)).toEqual([
      expect.objectContaining({ name: "plan", id: set.first()?.id }),
    ]);
    await client.application!.commands.set([{ name: "status", description: "Show status" }]);
    expect(fake.registeredCommands().map((c) => (c as { name: string }).name)).toEqual(["status"]);
    const bad = await client
      .application!.commands.set([{ name: "Bad Name", description: "x" }])
      .catch((e: unknown) => e);
    expect((bad as DiscordAPIError).code).toBe(50035);
  });

  it("records unknown routes as 404 code 0", async () => {
    const { fake, client } = await start();
    const error = await client.rest.get("/not-a-route").catch((e: unknown) => e);
    expect((error as DiscordAPIError).status).toBe(404);
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/not-a-route", status: 404 });
  });

  it("resumes after a gateway disconnect and replays events sent meanwhile", async () => {
    const { fake, client } = await start();
    const resumed = nextEvent(client, Events.ShardResume);
    fake.disconnectClient();
    const received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    await fake.sendMessage({ channelId: "100", author: alice, content: "while you were away" });
    await resumed;
    const [message] = await received;
    expect(message.content).toBe("while you were away");
    expect(fake.gatewayFrames.filter((f) => f.op === 6)).toHaveLength(1);
  });

  it("hides message content from a client without the MessageContent intent unless the bot is mentioned", async () => {
    const { fake, client } = await start({}, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    let received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    await fake.sendMessage({ channelId: "100", author: alice, content: "secret" });
    expect((await received)[0].content).toBe("");
    received = nextEvent(client, Events.MessageCreate, fromUser(alice.id));
    await fake.sendMessage({ channelId: "100", author: alice, content: "hey", mentionsBot: true });
    expect((await received)[0].content).toBe(`<@${fake.botUserId}> hey`);
  });
});
