import { afterEach, describe, expect, it } from "vitest";
import { ALL_COMMANDS } from "../helpers/command-names.ts";
import { admin, adminChat, group, guest, member, okCalls, startHarness, type TelegramHarness } from "./harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("telegram adapter: commands as text", () => {
  it("publishes the command menu and `/p` with flags in a group creates the entry", async () => {
    h = await startHarness();
    expect(h.fake.myCommands().map((c) => c.command)).toEqual(ALL_COMMANDS);

    const { message, reply } = await h.say({
      chat: group,
      from: member,
      text: '/p shop-app "A shop & <cart>" --repo shop --branch feat/cart --base=develop',
    });
    expect(reply.parse_mode).toBe("HTML");
    expect(reply.plain_text).toContain("Proposed shop-app: A shop & <cart>");
    expect(reply.reply_parameters).toMatchObject({ message_id: message.message_id });
    expect(reply.reply_markup?.inline_keyboard).toEqual([
      [
        { text: "Plan", callback_data: "/plan shop-app" },
        { text: "Approve", callback_data: "/approve shop-app" },
      ],
    ]);
    const entry = await h.project("shop-app");
    expect(entry).toMatchObject({
      name: "shop-app",
      description: "A shop & <cart>",
      status: "pending",
      repo: "shop",
      branch: "feat/cart",
      base_branch: "develop",
    });
    expect(entry?.proposed_at).toEqual(expect.any(String));
  });

  it("`/p@planbot_test_bot` works, `/p@otherbot` and other bots' bare commands are ignored in groups", async () => {
    h = await startHarness();
    const before = h.fake.sentMessages(group.id).length;
    h.fake.sendMessage({ chat: group, from: member, text: "/p@otherbot other-app Belongs to another bot" });
    h.fake.sendMessage({ chat: group, from: member, text: "/weather Berlin" });
    // Updates of one chat are handled in order, so once this reply is out the two above were handled.
    const { reply } = await h.say({
      chat: group,
      from: member,
      text: "/p@planbot_test_bot mine-app Belongs to planbot",
    });
    expect(reply.plain_text).toContain("Proposed mine-app");
    expect(h.fake.sentMessages(group.id)).toHaveLength(before + 1);
    expect(await h.project("other-app")).toBeUndefined();

    // A private chat has no other bots: an unknown command gets the core's help.
    const unknown = await h.say({ chat: adminChat, from: admin, text: "/weather Berlin" });
    expect(unknown.reply.plain_text).toMatch(/Unknown command \/weather/);
  });

  it("roles are the core's: a guest is refused and told their id; usage errors name the problem", async () => {
    h = await startHarness();
    const refused = await h.say({ chat: group, from: guest, text: "/p guest-app Something" });
    expect(refused.reply.plain_text).toMatch(/needs the member role/);
    expect(refused.reply.plain_text).toContain("telegram:3");
    const usage = await h.say({ chat: group, from: member, text: "/p" });
    expect(usage.reply.plain_text).toMatch(/Usage: \/p <slug> <description…>/);
    const whoami = await h.say({ chat: adminChat, from: admin, text: "/whoami" });
    expect(whoami.reply.plain_text).toContain("telegram:1, role: admin");
    expect(whoami.reply.reply_parameters).toBeUndefined();
  });

  it("chatter in a group without a session is ignored; a private chat without one gets a hint", async () => {
    h = await startHarness();
    h.fake.sendMessage({ chat: group, from: member, text: "lunch anyone?" });
    await h.say({ chat: group, from: member, text: "/status" });
    expect(h.fake.sentMessages(group.id).map((m) => m.plain_text)).toEqual([expect.stringMatching(/No projects yet/)]);
    const hint = await h.say({ chat: adminChat, from: admin, text: "hello?" });
    expect(hint.reply.plain_text).toMatch(/Commands start with \/\. Send \/help/);
    expect(okCalls(h.fake, "getMe")).toHaveLength(1);
  });
});
