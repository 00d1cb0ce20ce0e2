// planbot's discord.js client keeps no channel's messages: each message is handled from its own event and
// sent messages are edited by id, so a long-running planbot in busy channels does not grow by 200 cached
// messages per channel. Checked with the real discord.js client against the fake gateway and REST API.
import { once } from "node:events";
import { type Client, Events, type Message } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordClient, loginAndWait } from "../../src/adapters/discord/client.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";

const alice = { id: "500000000000000001", username: "alice" };
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function connected(): Promise<{ fake: FakeDiscord; client: Client<true> }> {
  const fake = await startFakeDiscord({ channels: [{ id: "100", name: "general" }] });
  stops.push(() => fake.close());
  const client = createDiscordClient({ token: fake.token, apiUrl: fake.apiUrl, guildId: fake.guildId });
  stops.push(() => client.destroy());
  return { fake, client: await loginAndWait(client, fake.token) };
}

describe("the Discord client's message cache", () => {
  it("stays empty while messages arrive and planbot edits what it sent", async () => {
    const { fake, client } = await connected();
    const seen: Message[] = [];
    client.on(Events.MessageCreate, (message) => void seen.push(message));
    for (let index = 0; index < 5; index += 1) {
      const arrived = once(client, Events.MessageCreate);
      await fake.sendMessage({ channelId: "100", author: alice, content: `message ${index}` });
      await arrived;
    }
    expect(seen.map((message) => message.content)).toEqual([0, 1, 2, 3, 4].map((index) => `message ${index}`));
    const channel = client.channels.cache.get("100");
    if (!channel?.isTextBased() || !("messages" in channel)) throw new Error("general is not a text channel");
    // A reply from the event's message, and an edit by id, work without the cache.
    const reply = await seen[0]!.reply("noted");
    const edited = await channel.messages.edit(reply.id, { content: "noted, edited" });
    expect(edited.content).toBe("noted, edited");
    expect(channel.messages.cache.size).toBe(0);
  });
});
