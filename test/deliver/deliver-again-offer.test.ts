// "Deliver again" is offered only where `/deliver` can work with the settings planbot runs with now. A failed
// delivery stored earlier meets a planbot without GIT_REMOTE_BASE: the Telegram card has no such button and
// says what has to change (a member's words: whom to tell), `/deliver` answers in the same words, the terminal
// (the operator's chat) reads the setting to change, and `planbot projects show` prints it too. The same store
// under a planbot with a remote offers the button again. Real grammY and discord.js against their fakes, the
// real terminal adapter, the real store and `bin/planbot` children for the CLI.
import { describe, expect, it } from "vitest";
import type { DeliveryField } from "../../src/projects/schemas.ts";
import { startChatSurfaces, telegramAdminChat } from "../helpers/chat-surfaces.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { prdWith, putEntry, writePrd } from "../helpers/notify-fixtures.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";
import { runPlanbot } from "../cli/planbot-process.ts";

const { temp } = useCleanups();

/** A pushed branch whose pull request GitHub refused planbot's token for, as the store keeps it. */
const PR_AUTH: DeliveryField = {
  at: "2026-12-02T10:00:00.000Z",
  ok: false,
  pushed: true,
  branch: "ralph/shop",
  summary:
    "pushed ralph/shop to https://github.com/acme/shop.git, but no pull request: GitHub answered 401 for acme/shop: Bad credentials",
  hint: "GITHUB_TOKEN was refused: set a valid token, then deliver it again.",
  hint_operator: true,
  problem: "pr_auth",
  operator: "github_token",
};

const NO_REMOTE_NOTE =
  "planbot has no remote repository to push to now, so it cannot be delivered again. Please tell planbot's admin: only they can give planbot one. Once they have, deliver it again: /deliver shop.";

/** The labels of the buttons under the Telegram message whose text contains `text`. */
function telegramButtons(surfaces: Awaited<ReturnType<typeof startChatSurfaces>>, text: string): string[] {
  const message = surfaces.telegram
    .sentMessages(telegramAdminChat.id)
    .filter((sent) => sent.plain_text.includes(text))
    .at(-1);
  return (message?.reply_markup?.inline_keyboard ?? []).flat().map((button) => button.text);
}

describe("Deliver again, offered only where it can work", { timeout: 120_000 }, () => {
  it("without GIT_REMOTE_BASE: no button, the member's words in Telegram and /deliver, the setting on the terminal and the CLI; with it, the button", async (context) => {
    const { root, dataDir, workspaceDir, store } = await notifyDirs(temp, "offer-");
    await putEntry(store, { name: "shop", status: "complete", branch: "ralph/shop", delivery: PR_AUTH });
    writePrd(workspaceDir, "shop", prdWith("shop", [true, true]));
    const settings = {
      PUSH_ON: "complete",
      GITHUB_TOKEN: "ghp_newTOKEN0123456789abcdefABCDEF0123",
      GITHUB_OWNER: "acme",
    };

    const without = await startChatSurfaces({ root, dataDir, env: settings });
    context.onTestFinished(() => without.close());
    const card = await without.telegramSays("/status shop", "Delivery:");
    expect(card).toContain(NO_REMOTE_NOTE);
    expect(card).not.toContain("GIT_REMOTE_BASE");
    expect(telegramButtons(without, "Delivery:")).not.toContain("Deliver again");
    expect(telegramButtons(without, "Delivery:")).toContain("Status");
    // Pressed anyway (typed): the same words, never the setting's name.
    const refused = await without.telegramSays("/deliver shop", "cannot be delivered again");
    expect(refused).toContain(`shop: ${NO_REMOTE_NOTE}`);
    expect(refused).not.toContain("GIT_REMOTE_BASE");
    // The terminal is planbot's operator: the setting to change, and the command after it.
    const operatorCard = await without.terminal.type("/status shop", "GIT_REMOTE_BASE is unset");
    expect(operatorCard).toContain(
      "It cannot be delivered again while GIT_REMOTE_BASE is unset: set it (e.g. https://github.com/<owner>) and restart planbot, then /deliver shop.",
    );
    await without.close();

    // The CLI reads the same settings from its environment.
    const shown = await runPlanbot(["projects", "show", "shop"], {
      cwd: root,
      env: { PLANBOT_DATA_DIR: dataDir, ...settings },
    });
    expect(shown.stdout).toContain(
      "deliver again: not while GIT_REMOTE_BASE is unset; set it (e.g. https://github.com/<owner>), then planbot projects deliver shop",
    );
    const remote = { ...settings, GIT_REMOTE_BASE: "https://github.com/acme" };
    const shownWith = await runPlanbot(["projects", "show", "shop"], {
      cwd: root,
      env: { PLANBOT_DATA_DIR: dataDir, ...remote },
    });
    expect(shownWith.stdout).toContain("deliver again: planbot projects deliver shop");

    // A planbot with a remote: delivering again can work, so the card offers it and says nothing more.
    const withRemote = await startChatSurfaces({ root, dataDir, env: remote });
    context.onTestFinished(() => withRemote.close());
    const offered = await withRemote.telegramSays("/status shop", "Delivery:");
    expect(offered).not.toContain("cannot be delivered again");
    expect(telegramButtons(withRemote, "Delivery:")).toContain("Deliver again");
  });
});
