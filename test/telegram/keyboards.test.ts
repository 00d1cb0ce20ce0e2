import { writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeChat, FakeUser, SentMessage } from "../fakes/telegram/index.ts";
import { admin, group, member, okCalls, startHarness, type TelegramHarness } from "./harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Presses the button labelled `label` on a bot message and waits for the bot's next message in the chat. */
async function press(
  harness: TelegramHarness,
  chat: FakeChat,
  from: FakeUser,
  message: SentMessage,
  label: string,
): Promise<SentMessage> {
  const button = message.reply_markup?.inline_keyboard.flat().find((b) => b.text === label);
  if (!button || !("callback_data" in button))
    throw new Error(`no button "${label}" on ${JSON.stringify(message.reply_markup)}`);
  const before = harness.fake.sentMessages(chat.id).filter((m) => m.kind === "sent").length;
  harness.fake.clickButton({ chat, from, messageId: message.message_id, data: button.callback_data! });
  const [reply] = await harness.nextSent(chat.id, before);
  return reply!;
}

describe("telegram adapter: inline keyboards", () => {
  it("approve by button: the core checks the presser's role (member refused, admin approved)", async () => {
    h = await startHarness();
    const proposed = (await h.say({ chat: group, from: member, text: "/p kb-app Keyboard app" })).reply;

    const refused = await press(h, group, member, proposed, "Approve");
    expect(refused.plain_text).toMatch(/\/approve needs the admin role; you are a member/);
    expect((await h.project("kb-app"))?.status).toBe("pending");

    const approved = await press(h, group, admin, proposed, "Approve");
    expect(approved.plain_text).toContain("Approved kb-app");
    expect(approved.reply_parameters).toMatchObject({ message_id: proposed.message_id });
    const entry = await h.project("kb-app");
    expect(entry?.status).toBe("approved");
    expect(entry?.approved_at).toEqual(expect.any(String));
    // Every press is answered (the spinner on the button stops), before the command runs.
    expect(okCalls(h.fake, "answerCallbackQuery")).toHaveLength(2);
  });

  it("re-plan of a committed project asks for confirmation; the confirm button re-plans (admins only)", async () => {
    h = await startHarness();
    await h.say({ chat: group, from: member, text: "/p replan-app Replanned app" });
    // Planned, then approved: re-planning would replace that plan.
    await writePlanningArtifacts(h.runtime.config.workspaceDir, "replan-app");
    await h.say({ chat: group, from: admin, text: "/approve replan-app" });

    const asked = (await h.say({ chat: group, from: admin, text: "/replan replan-app" })).reply;
    expect(asked.plain_text).toMatch(/already approved/);
    expect(asked.reply_markup?.inline_keyboard).toEqual([
      [{ text: "Re-plan anyway", callback_data: "/replan replan-app --force" }],
    ]);

    const refused = await press(h, group, member, asked, "Re-plan anyway");
    expect(refused.plain_text).toMatch(/\/replan --force needs the admin role/);
    expect((await h.project("replan-app"))?.status).toBe("approved");

    const replanned = await press(h, group, admin, asked, "Re-plan anyway");
    expect(replanned.plain_text).toContain("Planning replan-app");
    expect(replanned.plain_text).toMatch(/1\. Who will use replan-app/);
    expect((await h.project("replan-app"))?.status).toBe("planning");
  });

  it("a command longer than 64 bytes gets a token; a token this process does not know says what to type", async () => {
    h = await startHarness();
    const slug = `very-long-project-name-${"x".repeat(36)}`;
    await h.say({ chat: group, from: admin, text: `/p ${slug} Long slug` });
    await writePlanningArtifacts(h.runtime.config.workspaceDir, slug);
    await h.say({ chat: group, from: admin, text: `/approve ${slug}` });
    const asked = (await h.say({ chat: group, from: admin, text: `/replan ${slug}` })).reply;
    const data = (asked.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
    expect(data).toMatch(/^#/);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);

    const replanned = await press(h, group, admin, asked, "Re-plan anyway");
    expect(replanned.plain_text).toContain(`Planning ${slug}`);

    // A button from before a restart: its token is unknown, so nothing runs and the alert names the command.
    const stale = `#zzzz0:/replan ${slug}`.slice(0, 64);
    const sentBefore = h.fake.sentMessages(group.id).length;
    const { callbackQueryId } = h.fake.clickButton({
      chat: group,
      from: admin,
      messageId: asked.message_id,
      data: stale,
      force: true,
    });
    const answer = await h.fake.waitForCall(
      "answerCallbackQuery",
      (c) => c.params.callback_query_id === callbackQueryId,
    );
    expect(answer.params).toMatchObject({ show_alert: true });
    expect(String(answer.params.text)).toMatch(/This button expired .* Type \/replan very-long-project-name-x+…/);
    await h.say({ chat: group, from: admin, text: "/whoami" });
    expect(h.fake.sentMessages(group.id)).toHaveLength(sentBefore + 1);
  });
});
