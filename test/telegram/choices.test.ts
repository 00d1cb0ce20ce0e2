// Buttons at waiting moments are choices, spent by the first press: the final plan as a document with
// Run now · Re-plan · Cancel, a ready phase's Next phase · Keep talking. Through the fake Bot API with the
// fake planner; a restart is a new runtime and adapter over the same data folder.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramAdapter } from "../../src/adapters/telegram/index.ts";
import { silentLogger } from "../../src/log.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import type { FakeChat, FakeUser, SentMessage } from "../fakes/telegram/index.ts";
import { admin, adminChat, group, member, startHarness, type TelegramHarness } from "./harness.ts";

let h: TelegramHarness | undefined;
let second: Runtime | undefined;
afterEach(async () => {
  await h?.close();
  await second?.stop();
  h = undefined;
  second = undefined;
});

/** The callback_data of the button labelled `label`. */
function dataOf(message: SentMessage | undefined, label: string): string {
  const button = message?.reply_markup?.inline_keyboard.flat().find((b) => b.text === label);
  if (!button || !("callback_data" in button)) throw new Error(`no button "${label}"`);
  return button.callback_data!;
}

/** Presses a button (by its data, even when the message no longer shows it) and waits for the bot's next message. */
async function press(harness: TelegramHarness, chat: FakeChat, from: FakeUser, messageId: number, data: string) {
  const before = harness.fake.sentMessages(chat.id).filter((m) => m.kind === "sent").length;
  harness.fake.clickButton({ chat, from, messageId, data, force: true });
  const [reply] = await harness.nextSent(chat.id, before);
  return reply!;
}

/** Plans `slug` in the admin's private chat up to a written plan, with the group following the session. */
async function planToTheEnd(harness: TelegramHarness, slug: string): Promise<void> {
  await harness.say({ chat: adminChat, from: admin, text: `/plan ${slug} A shared shopping list` });
  await harness.say({ chat: group, from: admin, text: `/continue ${slug}` });
  await harness.say({ chat: adminChat, from: admin, text: "Two people; any stack" });
  for (let phase = 0; phase < 3; phase++) await harness.say({ chat: adminChat, from: admin, text: "/next" });
}

describe("telegram: choices at waiting moments", () => {
  it("the approved plan arrives as final-plan.md with a summary; Cancel pressed twice, from two chats and after a restart, acts once", async () => {
    h = await startHarness();
    await planToTheEnd(h, "list-app");
    const inDm = h.fake.sentMessages(adminChat.id).filter((m) => m.kind === "sent").length;
    const inGroup = h.fake.sentMessages(group.id).filter((m) => m.kind === "sent").length;
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "/done" });
    const [approved, document] = await h.nextSent(adminChat.id, inDm, 2);

    // The summary names the goal and the stories; the buttons are one choice.
    expect(approved!.plain_text).toMatch(/Approved list-app with its plan/);
    expect(approved!.plain_text).toMatch(/Goal: /);
    expect(approved!.plain_text).toMatch(/Stories \(3\):\n• US-001 /);
    expect(approved!.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["Run now", "Re-plan", "Cancel"]);
    const cancel = dataOf(approved, "Cancel");
    expect(cancel).toMatch(/^![\w-]+\/cancel list-app$/);

    // The document is the project's final-plan.md, uploaded as multipart (sendDocument).
    const planFile = workspacePaths(h.runtime.config.workspaceDir, "list-app").finalPlan;
    expect(document!.method).toBe("sendDocument");
    expect(document!.document).toMatchObject({ file_name: "final-plan.md", content: readFileSync(planFile, "utf8") });

    // The group follows the session: it got the same message and document, with the same choice.
    const [mirrored, mirroredDocument] = await h.nextSent(group.id, inGroup, 2);
    expect(dataOf(mirrored, "Cancel")).toBe(cancel);
    expect(mirroredDocument!.document?.file_name).toBe("final-plan.md");

    // A member may not cancel: refused, and the choice stays open for an admin.
    const refused = await press(h, group, member, mirrored!.message_id, cancel);
    expect(refused.plain_text).toMatch(/\/cancel needs the admin role/);
    expect(h.fake.getMessage(group.id, mirrored!.message_id)?.reply_markup).toBeDefined();

    // The admin's press acts: the message shows what was chosen and by whom, its keyboard gone.
    const cancelled = await press(h, adminChat, admin, approved!.message_id, cancel);
    expect(cancelled.plain_text).toMatch(/^Cancelled list-app\b/);
    expect((await h.project("list-app"))?.status).toBe("cancelled");
    const marked = h.fake.getMessage(adminChat.id, approved!.message_id) as { text: string; reply_markup?: unknown };
    expect(marked.text).toMatch(/\n\nChosen: Cancel, by @ada at \d\d:\d\d UTC\.$/);
    expect(marked.text).toContain("Approved list-app with its plan");
    expect(marked.reply_markup).toBeUndefined();

    // The same button again: nothing runs, the answer says who chose what.
    const again = await press(h, adminChat, admin, approved!.message_id, cancel);
    expect(again.plain_text).toMatch(/^Already chosen: Cancel, by @ada at \d\d:\d\d UTC\.$/);

    // The group's copy still showed the buttons: pressing Re-plan there finds the choice spent, and the
    // group's copy is marked too.
    const fromGroup = await press(h, group, admin, mirrored!.message_id, dataOf(mirrored, "Re-plan"));
    expect(fromGroup.plain_text).toMatch(/^Already chosen: Cancel, by @ada/);
    expect((h.fake.getMessage(group.id, mirrored!.message_id) as { text: string }).text).toMatch(
      /Chosen: Cancel, by @ada/,
    );
    expect((await h.project("list-app"))?.status).toBe("cancelled");

    // After a restart (a new process over the same data folder) the choice is still spent.
    await h.adapter.stop();
    await h.runtime.stop();
    second = createRuntime(h.runtime.config, silentLogger, { env: { ...process.env, CLAUDE_CONFIG_DIR: h.claudeDir } });
    h.adapter = await startTelegramAdapter(second, { pollTimeoutSeconds: 1 });
    const afterRestart = await press(h, adminChat, admin, approved!.message_id, dataOf(approved, "Run now"));
    expect(afterRestart.plain_text).toMatch(/^Already chosen: Cancel, by @ada/);
    expect((await h.project("list-app"))?.status).toBe("cancelled");
    const ledger = JSON.parse(readFileSync(`${h.dataDir}/choices.json`, "utf8")) as {
      choices: Record<string, { label: string; by: string; command: string }>;
    };
    expect(Object.values(ledger.choices)).toEqual([
      expect.objectContaining({ label: "Cancel", by: "@ada", command: "/cancel list-app" }),
    ]);
  });

  it("a ready phase offers Next phase · Keep talking; Keep talking spends the choice, a typed /next still works", async () => {
    h = await startHarness();
    await h.say({ chat: adminChat, from: admin, text: "/plan talk-app A talkative app" });
    const ready = (await h.say({ chat: adminChat, from: admin, text: "Just me; any stack" })).reply;
    expect(ready.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["Next phase", "Keep talking"]);

    const kept = await press(h, adminChat, admin, ready.message_id, dataOf(ready, "Keep talking"));
    expect(kept.plain_text).toMatch(/Go on: answer the planner here/);
    const marked = h.fake.getMessage(adminChat.id, ready.message_id) as { text: string; reply_markup?: unknown };
    expect(marked.text).toMatch(/Chosen: Keep talking, by @ada at \d\d:\d\d UTC\.$/);
    expect(marked.reply_markup).toBeUndefined();

    // Next phase on the same (spent) message does not move the session on…
    const stale = await press(h, adminChat, admin, ready.message_id, dataOf(ready, "Next phase"));
    expect(stale.plain_text).toMatch(/^Already chosen: Keep talking, by @ada/);
    expect(Object.values(await h.sessions())[0]?.phase).toBe("clarify");
    // …but typed commands are never blocked by the ledger.
    const typed = await h.say({ chat: adminChat, from: admin, text: "/next" });
    expect(typed.reply.plain_text).toMatch(/Design for talk-app/);
  });
});
