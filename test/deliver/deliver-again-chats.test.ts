// `/deliver` typed in a chat that also hears the project's notices: the person who asked reads one answer
// there (the command's reply), and every other chat of the project hears of the delivery once, through the
// notifier. The real Telegram and Discord adapters against their fakes, the real store, watcher and notifier,
// real git with a bare remote and the fake GitHub.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeGithub } from "../fakes/github/server.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { createBareRemote, samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createHarness } from "../execute/harness.ts";
import { useHarnessTemp } from "../execute/use-harness-temp.ts";

const temp = useHarnessTemp();
const TOKEN = "ghp_chatsTOKEN0123456789abcdefABCDEF012";
const WRONG = "ghp_wrongTOKEN0123456789abcdefABCDEF01";
const DELIVERED = "todo: branch ralph/todo pushed; draft pull request #1 is ready for review.";

describe("/deliver in a chat that also hears the project's notices", { timeout: 120_000 }, () => {
  it("answers the asker once, and the project's other chat hears the delivery once, from Telegram and from Discord", async (context) => {
    const root = await temp.make("deliver-chats-");
    const remote = await createBareRemote(root, "todo", { ralphScript: true });
    const github = await startFakeGithub(TOKEN);
    github.addRepo("acme", "todo", remote.path);
    context.onTestFinished(() => github.close());
    const h = await createHarness(temp, {
      root: join(root, "planbot"),
      gitRemoteBase: remote.base,
      env: { FAKE_RALPH_COMMIT: "1" },
    });
    context.onTestFinished(() => h.cleanup());
    // The run's pull request failed on a token GitHub refused; the admin has set the right one since.
    h.config.execute.delivery = {
      pushOn: "complete",
      github: { token: WRONG, owner: "acme", apiUrl: github.url, retryBaseMs: 1 },
    };
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2) });
    await h.approve("todo");
    expect(await h.executor().runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({ ok: false, pushed: true, problem: "pr_auth" });

    // Both the Telegram admin's chat and Discord's general channel are notify channels of this planbot.
    const chats = await startChatSurfaces({
      root,
      dataDir: h.config.dataDir,
      env: {
        PLANBOT_WORKSPACE_DIR: h.config.workspaceDir,
        GIT_REMOTE_BASE: remote.base,
        GITHUB_TOKEN: TOKEN,
        GITHUB_OWNER: "acme",
        GITHUB_API_URL: github.url,
        PUSH_ON: "complete",
        TELEGRAM_NOTIFY_CHAT_ID: "1",
        DISCORD_NOTIFY_CHANNEL_ID: "100",
      },
    });
    context.onTestFinished(() => chats.close());
    const { runtime } = chats;
    await runtime.watcher.start();
    runtime.onStop(() => runtime.watcher.stop());
    await runtime.notifier.start();
    runtime.onStop(() => runtime.notifier.stop());

    const discordBefore = chats.discord.channelMessages("100").length;
    const reply = await chats.telegramSays("/deliver todo", /ready for review|could not/);
    expect(reply).toContain(DELIVERED);
    // The other notify channel hears of it through the notifier…
    await expect
      .poll(
        () =>
          chats.discord
            .channelMessages("100")
            .slice(discordBefore)
            .map((m) => m.content),
        { timeout: 15_000 },
      )
      .toContainEqual(expect.stringContaining("draft pull request [#1]"));
    // …and once that notice is sent, nothing more is due for the asker's chat: it read the reply alone.
    await runtime.notifier.flush();
    const state = JSON.parse(await readFile(join(h.config.dataDir, "notifications.json"), "utf8"));
    expect(state.outbox).toEqual([]);
    const telegramTexts = chats.telegram
      .sentMessages(1)
      .filter((m) => m.kind === "sent")
      .map((m) => m.plain_text);
    expect(telegramTexts.filter((text) => text.includes("ready for review"))).toEqual([DELIVERED]);
    expect(
      chats.discord
        .channelMessages("100")
        .slice(discordBefore)
        .filter((m) => m.content.includes("ready for review")),
    ).toHaveLength(1);

    // Asked again from Discord: the Discord channel reads its reply, and now Telegram hears the notice once.
    const again = await chats.discordSays("/deliver todo", /ready for review|could not/);
    expect(again).toContain("draft pull request [#1]");
    await chats.telegramGot(telegramTexts.length, "ready for review");
    await runtime.notifier.flush();
    const after = JSON.parse(await readFile(join(h.config.dataDir, "notifications.json"), "utf8"));
    expect(after.outbox).toEqual([]);
    expect(
      chats.telegram.sentMessages(1).filter((m) => m.kind === "sent" && m.plain_text.includes("ready for review")),
    ).toHaveLength(2);
    expect(
      chats.discord
        .channelMessages("100")
        .slice(discordBefore)
        .filter((m) => m.content.includes("ready for review")),
    ).toHaveLength(2);
  });
});
