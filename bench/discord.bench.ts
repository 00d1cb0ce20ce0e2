/**
 * The Discord round trip: a `/status` slash command dispatched by the fake Discord until the interaction
 * callback that answers it is recorded, for planbot's adapter and for a bare discord.js bot that replies
 * "ok" to every interaction, each on its own fake, alternating commands so both see the same machine
 * load. Goal: planbot's p50 ≤ 1.2 × the bare bot's. A third line times the core's `/status` handler alone
 * (no Discord, measured afterwards), so the gap can be split between the adapter and the core; the split
 * line cuts each round trip where the bot starts its callback request (the bot's side before, Discord's after).
 */
import { once } from "node:events";
import { Client, Events, Partials } from "discord.js";
import { startFakeDiscord, type FakeDiscord, type FakeUser } from "../test/fakes/discord/index.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import type { BenchResult } from "./bench-result.ts";
import { importBuilt } from "./built-planbot.ts";
import {
  roundTripLines,
  startChatBenchRuntime,
  watchRequestStarts,
  type RequestStarts,
  type SplitSample,
} from "./chat-bench-runtime.ts";

const WARMUP = 30;
const COMMANDS = 400;
const CHANNEL = "100";
const user: FakeUser = { id: "1", username: "bench" };

/** Runs the Discord bench and returns its result lines. */
export async function benchDiscord(): Promise<BenchResult[]> {
  const { INTENTS } =
    await importBuilt<typeof import("../src/adapters/discord/client.ts")>("adapters/discord/client.ts");
  const { startDiscordAdapter } =
    await importBuilt<typeof import("../src/adapters/discord/index.ts")>("adapters/discord/index.ts");
  const root = await makeTempDir("bench-discord-");
  const planbotFake = await startFakeDiscord();
  const bareFake = await startFakeDiscord();
  const runtime = await startChatBenchRuntime(root, {
    DISCORD_TOKEN: planbotFake.token,
    DISCORD_API_URL: planbotFake.apiUrl,
    DISCORD_GUILD_ID: planbotFake.guildId,
    PLANBOT_MEMBERS: "discord:1",
  });
  const adapter = await startDiscordAdapter(runtime);

  // The baseline: the same intents and REST settings, and nothing but an immediate "ok".
  const bare = new Client({
    intents: INTENTS,
    partials: [Partials.Channel],
    rest: { api: bareFake.apiUrl, version: "10" },
  });
  bare.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) interaction.reply("ok").catch(() => undefined);
  });
  const requests = watchRequestStarts("/callback");
  const bareReady = once(bare, Events.ClientReady);
  await bare.login(bareFake.token);
  await bareReady;

  try {
    const planbotSplits: SplitSample[] = [];
    const bareSplits: SplitSample[] = [];
    for (let i = 0; i < WARMUP + COMMANDS; i++) {
      // Alternate which goes first, so neither always follows the other's leftover work.
      let a: SplitSample;
      let b: SplitSample;
      if (i % 2 === 0) {
        a = await roundTrip(planbotFake, requests);
        b = await roundTrip(bareFake, requests);
      } else {
        b = await roundTrip(bareFake, requests);
        a = await roundTrip(planbotFake, requests);
      }
      if (i >= WARMUP) {
        planbotSplits.push(a);
        bareSplits.push(b);
      }
    }
    // The core alone, in a phase of its own so it cannot disturb the round trips above.
    const coreMs: number[] = [];
    const incoming = {
      adapter: "discord",
      channelId: CHANNEL,
      userId: user.id,
      userName: user.username,
      text: "/status",
    };
    for (let i = 0; i < WARMUP + COMMANDS; i++) {
      const started = performance.now();
      await runtime.bot.handleCommand(incoming);
      if (i >= WARMUP) coreMs.push(performance.now() - started);
    }
    const measured = { planbot: planbotSplits, bare: bareSplits, coreMs };
    return roundTripLines("discord", measured, {
      planbot: "discord: /status round trip, planbot",
      bare: "discord: /status round trip, bare discord.js replying ok",
      core: "discord: core /status handler alone (no Discord)",
    }).lines;
  } finally {
    requests.stop();
    await adapter.stop();
    await bare.destroy();
    await runtime.stop();
    await planbotFake.close();
    await bareFake.close();
    await removeTempDir(root);
  }
}

/** Milliseconds from dispatching the slash command to the recorded callback that answers it, split where the bot's request started. */
async function roundTrip(fake: FakeDiscord, requests: RequestStarts): Promise<SplitSample> {
  const started = performance.now();
  const handle = await fake.slashCommand({ name: "status", user, channelId: CHANNEL });
  const callback = await fake.waitForRequest(
    (r) => r.interactionId === handle.id && r.path.endsWith("/callback"),
    10_000,
  );
  const ended = performance.now();
  if (callback.status >= 300) throw new Error(`the answer to /status failed with ${callback.status}`);
  const requested = requests.at(new URL(fake.apiUrl).origin) ?? ended;
  return { total: ended - started, toRequest: requested - started, afterRequest: ended - requested };
}
