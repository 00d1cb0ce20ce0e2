import { afterEach, describe, expect, it } from "vitest";
import { startDiscordAdapter } from "../../src/adapters/discord/index.ts";
import type { RunningAdapter } from "../../src/runtime/adapter-catalog.ts";
import { createdThread } from "../discord/harness.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";
import { group, member, startHarness, type TelegramHarness } from "./harness.ts";

const discordMember = { id: "2", username: "mel" };
const GENERAL = "100";

let h: TelegramHarness | undefined;
let discord: FakeDiscord | undefined;
let discordAdapter: RunningAdapter | undefined;
afterEach(async () => {
  await discordAdapter?.stop();
  await h?.close();
  await discord?.close();
  h = undefined;
  discord = undefined;
  discordAdapter = undefined;
});

/** Polls until `probe` returns something truthy. */
async function eventually<T>(probe: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("telegram + discord on one runtime", () => {
  it("a session started in Telegram is continued from Discord with /continue; replies reach both", async () => {
    discord = await startFakeDiscord();
    h = await startHarness({
      env: {
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_ID: discord.guildId,
        PLANBOT_ADMINS: "telegram:1,discord:1",
        PLANBOT_MEMBERS: "telegram:2,discord:2",
      },
    });
    discordAdapter = await startDiscordAdapter(h.runtime);
    const fake = discord;
    const said = (channelId: string, pattern: RegExp) => () =>
      fake.channelMessages(channelId).find((m) => pattern.test(m.content));

    const plan = await h.say({ chat: group, from: member, text: "/plan cross-app An app planned on two platforms" });
    expect(plan.reply.plain_text).toMatch(/1\. Who will use cross-app/);

    // `/continue` typed as a text message in a Discord channel opens a planning thread there (as /plan does),
    // and binds the thread, not the channel, to the Telegram session: the channel's chatter stays out.
    const telegramBefore = h.fake.sentMessages(group.id).length;
    await fake.sendMessage({ channelId: GENERAL, author: discordMember, content: "/continue cross-app" });
    const thread = await createdThread(fake);
    expect(thread.name).toBe("plan: cross-app");
    await eventually(said(GENERAL, new RegExp(`Planning \\*\\*cross-app\\*\\* in <#${thread.id}>`)), "the pointer");
    await eventually(
      said(thread.id, /now follows the planning of \*\*cross-app\*\*/),
      "the /continue reply in Discord",
    );
    const [joined] = await h.nextSent(group.id, telegramBefore);
    expect(joined!.plain_text).toContain("mel joined this planning session from Discord");

    // An answer written in Discord reaches the planner; its reply goes to Discord and is mirrored to Telegram.
    const beforeAnswer = h.fake.sentMessages(group.id).length;
    await fake.sendMessage({ channelId: GENERAL, author: discordMember, content: "Chatter in the channel" });
    await fake.sendMessage({
      channelId: thread.id,
      author: discordMember,
      content: "Answer from Discord: makers & <testers>",
    });
    const inDiscord = await eventually(
      said(thread.id, /You answered: "Answer from Discord: makers & <testers>"/),
      "the planner reply in Discord",
    );
    expect(inDiscord.content).toMatch(/Phase ready/);
    const [mirrored] = await h.nextSent(group.id, beforeAnswer);
    expect(mirrored!.plain_text).toContain("mel (Discord): Answer from Discord: makers & <testers>");
    expect(mirrored!.plain_text).toContain('You answered: "Answer from Discord: makers & <testers>"');
    expect(mirrored!.parse_mode).toBe("HTML");

    // And the other way: a reply to the bot in Telegram is mirrored to the Discord channel.
    const answer = await h.say({
      chat: group,
      from: member,
      text: "More from Telegram",
      replyToMessageId: plan.reply.message_id,
    });
    expect(answer.reply.plain_text).toContain('You answered: "More from Telegram"');
    await eventually(said(thread.id, /\*\*@max\*\* \(Telegram\): More from Telegram/), "the mirrored reply in Discord");

    const calls = await h.plannerCalls();
    expect(calls.map((c) => c.stdin)).toEqual([
      expect.stringContaining("cross-app"),
      expect.stringContaining("Answer from Discord"),
      expect.stringContaining("More from Telegram"),
    ]);
  });
});
