/**
 * Run guardrails end to end: the real `bin/planbot start` with the fake Telegram and Discord and the fake
 * ralph.sh in "hang" mode (it passes story 1 and then sleeps in a child, silent). RALPH_STALL_MINUTES brings
 * one stall notice, RALPH_MAX_MINUTES stops the process group and records the run once; `/cancel` of a
 * running project stops Ralph too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { groupAlive } from "../helpers/git-fixtures.ts";
import {
  count,
  createWorld,
  DISCORD_NOTIFY,
  eventually,
  planChat,
  removeTempDirs,
  type World,
} from "../mission/world.ts";
import { discordProgress, telegramProgress } from "./world-progress.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
  await removeTempDirs();
});

async function world(repo: string, env: Record<string, string>): Promise<World> {
  const made = await createWorld({
    repo,
    env: { PROGRESS_EDIT_SECONDS: "0.3", FAKE_RALPH_MODE: "hang", FAKE_RALPH_DELAY_MS: "50", ...env },
  });
  worlds.push(made);
  return made;
}

/** Proposed, planned, approved and started from the Telegram group; resolves with Ralph's PID once it hangs. */
async function hangingRun(w: World, slug: string): Promise<number> {
  await w.command(`/p ${slug} "Kiln temperature logger" --repo team/${slug}`, new RegExp(`Proposed ${slug}`));
  await w.command(`/plan ${slug}`, new RegExp(`Planning ${slug} — phase 1/3: clarify`));
  await w.command("/done", new RegExp(`Approved ${slug} with its plan`));
  await w.command(`/run ${slug}`, new RegExp(`Started Ralph for ${slug}`));
  const pid = await eventually("Ralph's PID", () => w.entry(slug)?.pid, 20_000, w.describe);
  await eventually(
    "story 1 to pass",
    () => telegramProgress(w, slug).some((m) => /story 2\/3/.test(m.plain_text)),
    30_000,
    w.describe,
  );
  return pid;
}

describe("run guardrails through the fake Telegram and Discord", { timeout: 120_000 }, () => {
  it("a silent run gets one stall notice in each chat, then RALPH_MAX_MINUTES stops its process group; the failure is recorded and announced once", async () => {
    const w = await world("team/kiln", { RALPH_STALL_MINUTES: "0.04", RALPH_MAX_MINUTES: "0.3" });
    await w.startPlanbot();
    const pid = await hangingRun(w, "kiln");

    const stall =
      /^kiln may be stuck: no change to prd\.json and no new output from Ralph for \d+ s \(RALPH_STALL_MINUTES=0\.04\)/;
    await eventually(
      "the stall notice",
      () => count(w.telegramTexts(), stall) === 1 && w.discordTexts().some((t) => t.includes("may be stuck")),
      30_000,
      w.describe,
    );
    const notice = w.telegram.sentMessages(planChat.id).find((m) => stall.test(m.plain_text))!;
    expect(notice.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["Status", "Cancel"]);
    expect(groupAlive(pid)).toBe(true);

    await eventually("the wall-time stop to be recorded", () => w.entry("kiln")?.pid === null, 40_000, w.describe);
    expect(groupAlive(pid)).toBe(false);
    const entry = w.entry("kiln")!;
    expect(entry.status).toBe("failed");
    expect(entry.error).toMatch(/^stopped after RALPH_MAX_MINUTES=0\.3 minutes; killed by SIGTERM\n/);
    const failed = /^kiln failed: stopped after RALPH_MAX_MINUTES=0\.3 minutes/;
    await eventually("the failure announced", () => count(w.telegramTexts(), failed) === 1, 20_000, w.describe);
    await eventually(
      "the progress message's last edit",
      () =>
        telegramProgress(w, "kiln")
          .at(-1)
          ?.plain_text.includes("finished: failed — stopped after RALPH_MAX_MINUTES=0.3 minutes") &&
        discordProgress(w, "kiln").at(-1)?.content.includes("finished: failed"),
      20_000,
      w.describe,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Once each: one stall notice (the run never came back to life), one failure notice, one stop.
    expect(count(w.telegramTexts(), stall)).toBe(1);
    expect(w.discord.channelMessages(DISCORD_NOTIFY).filter((m) => m.content.includes("may be stuck"))).toHaveLength(1);
    expect(count(w.telegramTexts(), failed)).toBe(1);
    expect(count(w.discordTexts(), /^\*\*kiln\*\* failed: stopped after /)).toBe(1);
    expect(telegramProgress(w, "kiln").filter((m) => m.kind === "sent")).toHaveLength(1);
  });

  it("/cancel of a running project stops Ralph: the group is gone, the project stays cancelled, the progress message says why", async () => {
    const w = await world("team/mugs", { RALPH_STALL_MINUTES: "0" });
    await w.startPlanbot();
    const pid = await hangingRun(w, "mugs");
    await w.command("/cancel mugs", /Cancelled mugs/);
    await eventually("Ralph to be stopped and recorded", () => w.entry("mugs")?.pid === null, 20_000, w.describe);
    expect(groupAlive(pid)).toBe(false);
    expect(w.entry("mugs")).toMatchObject({
      status: "cancelled",
      error: expect.stringMatching(/^stopped: cancelled; /),
    });
    await eventually(
      "the progress message's last edit",
      () =>
        telegramProgress(w, "mugs")
          .at(-1)
          ?.plain_text.startsWith("mugs — Ralph stopped: the project was cancelled · 1/3 stories pass"),
      20_000,
      w.describe,
    );
    expect(await w.show("mugs")).toMatchObject({ status: "cancelled", pid: null });
    expect(w.telegramTexts().some((text) => /may be stuck/.test(text))).toBe(false);
  });
});
