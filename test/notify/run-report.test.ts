/**
 * The run report end to end: a run ends blocked in a real git workspace (a branch with commits since its
 * base), and the report reaches the Discord notify channel and the Telegram notify chat with every story,
 * the commits, the blocked stories' notes and Retry · Re-plan · Cancel — one choice across both platforms.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime } from "../../src/runtime/runtime.ts";
import { startFakeDiscord, type FakeUser as DiscordUser } from "../fakes/discord/index.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { startFakeTelegram, type FakeChat, type FakeUser } from "../fakes/telegram/index.ts";
import { git } from "../helpers/git-fixtures.ts";
import { configFor, putEntry, storeOf, waitUntil, writePrd } from "../helpers/notify-fixtures.ts";
import { bothPlatformsEnv, startBothPlatforms } from "../helpers/start-like-planbot.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const DISCORD_NOTIFY = "300";
const ada: FakeUser = { id: 1, first_name: "Ada", username: "ada" };
const discordAda: DiscordUser = { id: "1", username: "ada" };
const notifyChat: FakeChat = { id: -1001000000010, type: "supergroup", title: "Builds" };

/** A workspace that is a git repository: `main` with one commit, the run's branch with three more. */
async function workspaceWithCommits(workspaceDir: string, slug: string): Promise<string> {
  const root = workspacePaths(workspaceDir, slug).root;
  await mkdir(root, { recursive: true });
  await git(root, ["init", "-q", "-b", "main"]);
  await git(root, ["commit", "-q", "--allow-empty", "-m", "initial commit"]);
  await git(root, ["checkout", "-q", "-b", `ralph/${slug}`]);
  for (const subject of ["feat: US-001 list items", "feat: US-002 share a list", "fix: sort items *by* name"])
    await git(root, ["commit", "-q", "--allow-empty", "-m", subject]);
  return root;
}

describe("run report", () => {
  it("blocked: every story, the commits since the base, the blocked notes, and Retry · Re-plan · Cancel spent once across Discord and Telegram", async () => {
    const root = await temp.make("report-");
    const dataDir = join(root, "data");
    const workspaceDir = join(dataDir, "workspace");
    const discord = await startFakeDiscord({ channels: [{ id: DISCORD_NOTIFY, name: "builds" }] });
    defer(() => discord.close());
    const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
    defer(() => telegram.close());
    telegram.addChat(notifyChat);

    const store = storeOf(dataDir);
    await workspaceWithCommits(workspaceDir, "gamma");
    await putEntry(store, {
      name: "gamma",
      status: "running",
      pid: null,
      branch: "ralph/gamma",
      base_branch: "main",
      started_at: new Date(Date.now() - 3 * 60_000).toISOString(),
    });
    const story = (id: number, passes: boolean, extra: object = {}) => ({
      id: `US-00${id}`,
      title: `Story ${id}`,
      description: "",
      acceptanceCriteria: ["works"],
      priority: id,
      passes,
      notes: "",
      ...extra,
    });
    const prd = (third: object) => ({
      project: "gamma",
      branchName: "ralph/gamma",
      description: "Shared lists",
      userStories: [story(1, true), story(2, true), story(3, false, third)],
    });
    writePrd(workspaceDir, "gamma", prd({}));

    const config = configFor(root, dataDir, {
      PLANNER_COMMAND: fakeClaudePath,
      PLANBOT_ADMINS: "telegram:1,discord:1",
      ...bothPlatformsEnv(discord, telegram, { discordChannelId: DISCORD_NOTIFY, telegramChatId: notifyChat.id }),
    });
    const runtime = createRuntime(config, silentLogger, { notifierBackoffMs: 50 });
    defer(() => runtime.stop());
    await startBothPlatforms(runtime);

    // Ralph blocks on the third story and leaves a note on it.
    writePrd(workspaceDir, "gamma", prd({ blocked: true, notes: "Needs an SMTP server: none is configured" }));
    const onDiscord = () => discord.channelMessages(DISCORD_NOTIFY).find((m) => /gamma\*\* is blocked/.test(m.content));
    const onTelegram = () =>
      telegram.sentMessages(notifyChat.id).find((m) => m.kind === "sent" && /gamma is blocked/.test(m.plain_text));
    await waitUntil(
      () => onDiscord() !== undefined && onTelegram() !== undefined,
      15_000,
      () =>
        JSON.stringify({
          discord: discord.channelMessages(DISCORD_NOTIFY).map((m) => m.content),
          telegram: telegram.sentMessages(notifyChat.id).map((m) => m.plain_text),
        }),
    );

    const report = onDiscord()!;
    expect(report.content.split("\n")).toEqual([
      "**gamma** is blocked: stories `US-003` cannot proceed (2/3 done). Re-plan or unblock them.",
      "**Stories:**",
      "- ✅ `US-001` Story 1 — passed",
      "- ✅ `US-002` Story 2 — passed",
      "- ⛔ `US-003` Story 3 — blocked",
      '**Commits:** 3 on `ralph/gamma` since `main`; newest: "fix: sort items \\*by\\* name", "feat: US-002 share a list", "feat: US-001 list items".',
      "**Blocked, with Ralph's notes:**",
      "- `US-003` Story 3: Needs an SMTP server: none is configured",
    ]);
    const customIds = (report.components as { components: { custom_id: string; label: string }[] }[]).flatMap(
      (row) => row.components,
    );
    expect(customIds.map((button) => button.label)).toEqual(["Retry", "Re-plan", "Cancel"]);
    const choice = /^!([\w-]+)\//.exec(customIds[0]!.custom_id)![1];
    expect(customIds.map((button) => button.custom_id)).toEqual([
      `!${choice}/run gamma`,
      `!${choice}/replan gamma`,
      `!${choice}/cancel gamma`,
    ]);
    // Telegram renders the same report (bold markup as entities) with the same choice on its buttons.
    const telegramReport = onTelegram()!;
    expect(telegramReport.plain_text).toContain(
      'Commits: 3 on ralph/gamma since main; newest: "fix: sort items *by* name"',
    );
    expect(
      telegramReport.reply_markup?.inline_keyboard.flat().map((b) => (b as { callback_data: string }).callback_data),
    ).toEqual([`!${choice}/run gamma`, `!${choice}/replan gamma`, `!${choice}/cancel gamma`]);

    // Cancel pressed on Discord acts…
    const click = await discord.clickButton({
      customId: `!${choice}/cancel gamma`,
      user: discordAda,
      channelId: DISCORD_NOTIFY,
      messageId: report.id,
    });
    await waitUntil(
      () => discord.interactionTranscript(click.id).some((r) => /Cancelled/.test(JSON.stringify(r.body))),
      15_000,
    );
    const edited = discord.channelMessages(DISCORD_NOTIFY).find((m) => m.id === report.id)!;
    expect(edited.content).toMatch(/\n\nChosen: Cancel, by ada at \d\d:\d\d UTC\.$/);
    expect(edited.components).toEqual([]);

    // …and Retry on Telegram's copy of the same report does not start a run.
    const before = telegram.sentMessages(notifyChat.id).filter((m) => m.kind === "sent").length;
    telegram.clickButton({
      chat: notifyChat,
      from: ada,
      messageId: telegramReport.message_id,
      data: `!${choice}/run gamma`,
    });
    await waitUntil(
      () => telegram.sentMessages(notifyChat.id).filter((m) => m.kind === "sent").length > before,
      15_000,
    );
    const answer = telegram.sentMessages(notifyChat.id).filter((m) => m.kind === "sent")[before]!;
    expect(answer.plain_text).toMatch(/^Already chosen: Cancel, by ada at \d\d:\d\d UTC\.$/);
    const read = await store.read();
    expect(read.ok && read.file.projects?.find((p) => p.name === "gamma")?.status).toBe("cancelled");
  });
});
