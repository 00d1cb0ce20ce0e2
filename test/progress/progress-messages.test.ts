/**
 * Live progress end to end: the real `bin/planbot start` as a child process with the fake Telegram, the fake
 * Discord, the fake planner and the fake ralph.sh slowed down (FAKE_RALPH_DELAY_MS), in a clone of a bare
 * remote. One progress message per run and chat, edited in place (k/N rising) and finished with how the run
 * ended; a restart in the middle goes on editing the same message.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ProgressState } from "../../src/notify/progress-state.ts";
import { groupAlive } from "../helpers/git-fixtures.ts";
import { createWorld, eventually, gatedRalphCommand, removeTempDirs, type World } from "../mission/world.ts";
import { discordProgress, storyNumbers, telegramProgress } from "./world-progress.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
  await removeTempDirs();
});

async function world(repo: string, env: Record<string, string>): Promise<World> {
  const made = await createWorld({ repo, env: { PROGRESS_EDIT_SECONDS: "0.3", FAKE_RALPH_COMMIT: "1", ...env } });
  worlds.push(made);
  return made;
}

/** `progress-messages.json` of the world's data dir. */
function storedProgress(w: World): ProgressState | undefined {
  const path = join(w.dataDir, "progress-messages.json");
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as ProgressState;
  } catch {
    return undefined;
  }
}

/** Proposed, planned (three stories) and approved in the Telegram group. */
async function planned(w: World, slug: string): Promise<void> {
  await w.command(
    `/p ${slug} "Kiln temperature logger" --repo team/${slug} --branch feat/x --base main`,
    new RegExp(`Proposed ${slug}`),
  );
  await w.command(`/plan ${slug}`, new RegExp(`Planning ${slug} — phase 1/3: clarify`));
  await w.command("/done", new RegExp(`Approved ${slug} with its plan`));
}

/** Checks one chat's progress log: one message sent, every later change an edit of it, k never falling. */
function oneMessageRising(log: { kind: string; id: string; text: string }[], last: RegExp): void {
  expect(log.filter((item) => item.kind === "sent")).toHaveLength(1);
  expect(log[0]!.kind).toBe("sent");
  expect(new Set(log.map((item) => item.id)).size).toBe(1);
  const ks = storyNumbers(log.map((item) => item.text));
  expect(ks.length).toBeGreaterThanOrEqual(2);
  expect(ks).toEqual([...ks].sort((a, b) => a - b));
  expect(new Set(ks).size).toBeGreaterThanOrEqual(2);
  expect(log.at(-1)!.text).toMatch(last);
}

describe("live run progress through the fake Telegram and Discord", { timeout: 120_000 }, () => {
  it("one progress message per chat, edited in place as stories pass, ends saying the run is complete", async () => {
    const w = await world("team/shop", { FAKE_RALPH_DELAY_MS: "900" });
    await w.startPlanbot();
    await planned(w, "shop");
    await w.command("/run shop", /Started Ralph for shop/);
    await eventually(
      "the run to end and its progress message to say so",
      () =>
        w.entry("shop")?.status === "complete" &&
        telegramProgress(w, "shop").at(-1)?.plain_text.includes("finished: complete") &&
        discordProgress(w, "shop").at(-1)?.content.includes("finished: complete"),
      60_000,
      w.describe,
    );

    const telegram = telegramProgress(w, "shop");
    oneMessageRising(
      telegram.map((m) => ({ kind: m.kind, id: String(m.message_id), text: m.plain_text })),
      /^shop — Ralph finished: complete · 3\/3 stories pass\n.*ran (less than a minute|\d+ min) · \d+ commits?, last: US-00\d/,
    );
    expect(telegram[0]!.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["Status", "Cancel"]);
    expect(telegram.some((m) => /iteration 2 of 10/.test(m.plain_text))).toBe(true);
    oneMessageRising(
      discordProgress(w, "shop").map((m) => ({ kind: m.kind, id: m.messageId, text: m.content })),
      /^\*\*shop\*\* — Ralph finished: complete · 3\/3 stories pass/,
    );
    // The final text stays: nothing is edited after it.
    const count = telegramProgress(w, "shop").length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(telegramProgress(w, "shop")).toHaveLength(count);
  });

  it("planbot killed and started again during a run: the new process edits the same messages to the end", async () => {
    const w = await world("team/kiln", { FAKE_RALPH_DELAY_MS: "600" });
    const gate = join(w.root, "ralph-go");
    w.env.RALPH_COMMAND = await gatedRalphCommand(w.root, gate);
    const first = await w.startPlanbot();
    await planned(w, "kiln");
    await w.command("/run kiln", /Started Ralph for kiln/);
    const pid = await eventually("Ralph's PID", () => w.entry("kiln")?.pid, 20_000, w.describe);
    // Both chats got their message and its id is stored (a kill between a send and storing its id would
    // leave a message the next process cannot know about).
    await eventually(
      "progress messages in both chats, their ids stored",
      () => {
        const state = storedProgress(w);
        return (
          telegramProgress(w, "kiln").length > 0 &&
          discordProgress(w, "kiln").length > 0 &&
          Object.values(state?.runs ?? {}).some((run) => run.slug === "kiln" && run.messages.length === 2)
        );
      },
      20_000,
      w.describe,
    );
    await first.kill();
    expect(groupAlive(pid)).toBe(true);

    await w.startPlanbot();
    await writeFile(gate, "go\n");
    await eventually(
      "the run to end under the second planbot",
      () =>
        w.entry("kiln")?.status === "complete" &&
        telegramProgress(w, "kiln").at(-1)?.plain_text.includes("finished: complete") &&
        discordProgress(w, "kiln").at(-1)?.content.includes("finished: complete"),
      60_000,
      w.describe,
    );
    const telegram = telegramProgress(w, "kiln");
    expect(telegram.filter((m) => m.kind === "sent")).toHaveLength(1);
    expect(new Set(telegram.map((m) => m.message_id)).size).toBe(1);
    expect(telegram.filter((m) => m.kind === "edited").length).toBeGreaterThanOrEqual(2);
    const discord = discordProgress(w, "kiln");
    expect(discord.filter((m) => m.kind === "sent")).toHaveLength(1);
    expect(new Set(discord.map((m) => m.messageId)).size).toBe(1);
    // The second process edited it: the stories it saw passing are in the same message.
    expect(storyNumbers(telegram.map((m) => m.plain_text)).at(-1)).toBe(3);
    // Once the last edits are out, the run is marked finished in the state file (a late sample starts nothing).
    await eventually(
      "the run marked finished in progress-messages.json",
      () => Object.values(storedProgress(w)?.runs ?? {}).some((run) => run.slug === "kiln" && run.ended_at),
      10_000,
      w.describe,
    );
    expect(Object.values(storedProgress(w)!.runs).filter((run) => run.slug === "kiln")).toHaveLength(1);
  });
});
