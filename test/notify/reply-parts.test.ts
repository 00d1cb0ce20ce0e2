/**
 * A notice that goes out as several platform messages — the approved notice's text, then final-plan.md as a
 * Telegram document — whose upload fails once: the retry sends only what did not arrive, so every chat reads
 * the text once and gets the document once. The real adapters on a runtime started in planbot start's order,
 * against the fake Telegram and the fake Discord; the notifier's own outbox does the retrying.
 */
import { writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.ts";
import { createNotificationStateFile } from "../../src/notify/notification-state.ts";
import { newOutboxItem } from "../../src/notify/outbox-item.ts";
import type { ProjectRecord } from "../../src/projects/project-list.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";
import { startFakeTelegram, type FakeChat, type FakeTelegram } from "../fakes/telegram/index.ts";
import { configFor, putEntry, readNotificationState, sleep, storeOf, waitUntil } from "../helpers/notify-fixtures.ts";
import { bothPlatformsEnv, startBothPlatforms } from "../helpers/start-like-planbot.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const DISCORD_NOTIFY = "300";
const notifyChat: FakeChat = { id: -1001000000020, type: "supergroup", title: "Builds" };
const PLAN = "# Plan for plano\n\nThree small stories.\n";

interface World {
  root: string;
  dataDir: string;
  workspaceDir: string;
  discord: FakeDiscord;
  telegram: FakeTelegram;
}

async function world(): Promise<World> {
  const root = await temp.make("reply-parts-");
  const dataDir = join(root, "data");
  const discord = await startFakeDiscord({ channels: [{ id: DISCORD_NOTIFY, name: "builds" }] });
  defer(() => discord.close());
  const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
  defer(() => telegram.close());
  telegram.addChat(notifyChat);
  return { root, dataDir, workspaceDir: join(dataDir, "workspace"), discord, telegram };
}

/** planbot as `planbot start` runs it, with Telegram's own retries off so each failure reaches the outbox. */
async function startPlanbot(w: World): Promise<Runtime> {
  const config = configFor(
    w.root,
    w.dataDir,
    bothPlatformsEnv(w.discord, w.telegram, { discordChannelId: DISCORD_NOTIFY, telegramChatId: notifyChat.id }),
  );
  const runtime = createRuntime(config, silentLogger, { notifierBackoffMs: 50 });
  defer(() => runtime.stop());
  await startBothPlatforms(runtime, { retry: { maxRetryAttempts: 0, maxDelaySeconds: 0 } });
  return runtime;
}

/** Approves "plano" with a final-plan.md in its workspace: the notifier's approved notice carries it. */
async function approvePlano(w: World): Promise<void> {
  const paths = workspacePaths(w.workspaceDir, "plano");
  await mkdir(paths.ralph, { recursive: true });
  writeFileSync(paths.finalPlan, PLAN);
  await putEntry(storeOf(w.dataDir), { name: "plano", status: "approved", final_plan_path: paths.finalPlan });
}

const approved = /plano\*?\*? is approved and waits for Ralph\./;

describe("a notice with a document whose upload fails once", { timeout: 60_000 }, () => {
  it("Telegram: the retry sends only the document — the text once, the document once", async () => {
    const w = await world();
    await putEntry(storeOf(w.dataDir), { name: "plano", status: "pending" });
    await startPlanbot(w);
    w.telegram.failNext({ method: "sendDocument", errorCode: 500, times: 1 });
    await approvePlano(w);

    const sent = () => w.telegram.sentMessages(notifyChat.id).filter((message) => message.kind === "sent");
    const documents = () => sent().filter((message) => message.method === "sendDocument");
    await waitUntil(
      () => documents().length >= 1 && (readNotificationState(w.dataDir)?.outbox ?? []).length === 0,
      15_000,
      () => JSON.stringify({ sent: sent(), outbox: readNotificationState(w.dataDir)?.outbox }),
    );
    await sleep(300);
    // The upload did fail once, after the text was out.
    const failedUploads = w.telegram.calls.filter((call) => call.method === "sendDocument" && call.injected);
    expect(failedUploads).toHaveLength(1);
    const texts = sent()
      .filter((message) => message.method === "sendMessage")
      .map((message) => message.plain_text);
    expect(texts.filter((text) => approved.test(text))).toHaveLength(1);
    expect(texts.find((text) => approved.test(text))).toContain("The plan is attached as final-plan.md.");
    expect(documents().map((message) => [message.document?.file_name, message.document?.content])).toEqual([
      ["final-plan.md", PLAN],
    ]);
    // The text went first, the document after it.
    const order = sent().map((message) => message.method);
    expect(order.indexOf("sendMessage")).toBeLessThan(order.indexOf("sendDocument"));
  });

  it("Discord: text and file are one message, so a failed upload delivered nothing and the retry sends it once", async () => {
    const w = await world();
    await putEntry(storeOf(w.dataDir), { name: "plano", status: "pending" });
    await startPlanbot(w);
    w.discord.failNext({
      method: "POST",
      pathIncludes: `/channels/${DISCORD_NOTIFY}/messages`,
      status: 500,
      withFiles: true,
      // discord.js retries a 5xx once itself: the second failure reaches the notifier's outbox.
      times: 2,
    });
    await approvePlano(w);

    const notices = () => w.discord.channelMessages(DISCORD_NOTIFY).filter((message) => approved.test(message.content));
    await waitUntil(
      () => notices().length >= 1 && (readNotificationState(w.dataDir)?.outbox ?? []).length === 0,
      15_000,
      () => JSON.stringify({ outbox: readNotificationState(w.dataDir)?.outbox }),
    );
    await sleep(300);
    const failedUploads = w.discord.requests.filter(
      (request) => request.path === `/channels/${DISCORD_NOTIFY}/messages` && request.status === 500,
    );
    expect(failedUploads.map((request) => request.files.length)).toEqual([1, 1]);
    expect(notices()).toHaveLength(1);
    const attachments = notices()[0]!.attachments as { filename: string; text: string }[];
    expect(attachments.map((attachment) => [attachment.filename, attachment.text])).toEqual([["final-plan.md", PLAN]]);
  });

  it("a reply long enough for several messages: a retry after the second part failed sends the rest, each part once, on both", async () => {
    const w = await world();
    const runtime = await startPlanbot(w);
    // About 5,600 characters: three Discord messages (2,000 each), two Telegram messages (4,096), then the file.
    const tokens = Array.from({ length: 800 }, (_, index) => `t${String(index).padStart(4, "0")}`);
    const reply = {
      text: tokens.join(" "),
      attachment: { name: "final-plan.md", content: PLAN },
    };
    w.discord.failNext({
      method: "POST",
      pathIncludes: `/channels/${DISCORD_NOTIFY}/messages`,
      status: 500,
      skip: 1,
      // discord.js retries a 5xx once itself: the second failure reaches the notifier's outbox.
      times: 2,
    });
    w.telegram.failNext({ method: "sendMessage", errorCode: 500, skip: 1 });
    const file = createNotificationStateFile(w.dataDir);
    const record = { slug: "plano", status: "approved" } as ProjectRecord;
    const queued = await file.mutate<object>((state) => {
      state.outbox.push(newOutboxItem(record, { adapter: "discord", channelId: DISCORD_NOTIFY }, reply, new Date()));
      state.outbox.push(
        newOutboxItem(record, { adapter: "telegram", channelId: String(notifyChat.id) }, reply, new Date()),
      );
      return { ok: true };
    });
    expect(queued.ok).toBe(true);
    await runtime.notifier.flush();
    await waitUntil(
      () => (readNotificationState(w.dataDir)?.outbox ?? []).length === 0,
      15_000,
      () => JSON.stringify(readNotificationState(w.dataDir)?.outbox),
    );
    await sleep(300);
    // Each failure hit the second part, after the first was out.
    expect(w.telegram.calls.filter((call) => call.method === "sendMessage" && call.injected)).toHaveLength(1);
    expect(w.discord.requests.filter((request) => request.status === 500)).toHaveLength(2);

    const once = (texts: string[]) => {
      const all = texts.join(" ").match(/t\d{4}/g) ?? [];
      expect(all).toEqual(tokens);
    };
    const discordMessages = w.discord.channelMessages(DISCORD_NOTIFY);
    expect(discordMessages).toHaveLength(3);
    once(discordMessages.map((message) => message.content));
    expect(
      discordMessages.map((message) => (message.attachments as { filename: string }[]).map((a) => a.filename)),
    ).toEqual([[], [], ["final-plan.md"]]);
    const telegramSent = w.telegram.sentMessages(notifyChat.id).filter((message) => message.kind === "sent");
    expect(telegramSent.map((message) => message.method)).toEqual(["sendMessage", "sendMessage", "sendDocument"]);
    once(telegramSent.filter((message) => message.method === "sendMessage").map((message) => message.plain_text));
  });
});
