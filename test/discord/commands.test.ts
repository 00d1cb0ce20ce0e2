// Slash commands, typed commands, buttons and autocomplete through the real discord.js Client against the
// fake Discord, with the real runtime and store underneath: what a Discord user does, checked in the store.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  admin,
  answered,
  buttonIds,
  closeAll,
  eventually,
  GENERAL,
  guest,
  member,
  messagesMatching,
  startHarness,
  storedProject,
  transcriptBodies,
} from "./harness.ts";

afterEach(closeAll);

describe("discord adapter: commands", () => {
  it("registers the slash commands in the guild once, and not again when restarted with the same definitions", async () => {
    const h = await startHarness();
    expect(h.adapter.commandSync).toBe("registered");
    const commands = h.fake.registeredCommands(h.fake.guildId) as {
      name: string;
      options: { name: string; type: number; required: boolean; autocomplete?: boolean }[];
    }[];
    const byName = new Map(commands.map((command) => [command.name, command]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining(["p", "plan", "replan", "approve", "status", "next", "done", "help"]),
    );
    // Each command once in the slash menu: aliases are not registered again, their description names them.
    expect(commands).toHaveLength(new Set(commands.map((command) => command.name)).size);
    expect(byName.has("propose")).toBe(false);
    expect(byName.has("start")).toBe(false);
    expect((byName.get("p") as unknown as { description: string }).description).toBe(
      "propose a new project (also typed as /propose)",
    );
    expect((byName.get("help") as unknown as { description: string }).description).toBe(
      "list the commands (also typed as /start)",
    );
    expect(byName.get("p")!.options.map((o) => [o.name, o.required])).toEqual([
      ["slug", true],
      ["description", true],
      ["repo", false],
      ["branch", false],
      ["base", false],
    ]);
    // /p names a new project: no autocomplete from existing slugs; /approve's slug does autocomplete.
    expect(byName.get("p")!.options[0]!.autocomplete).toBeUndefined();
    expect(byName.get("approve")!.options[0]!.autocomplete).toBe(true);
    expect(byName.get("replan")!.options.find((o) => o.name === "force")?.type).toBe(5);
    expect(h.fake.registeredCommands()).toEqual([]);

    const again = await h.restart();
    expect(again.commandSync).toBe("unchanged");
    const puts = h.fake.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/commands"));
    expect(puts.map((r) => r.path)).toEqual([
      `/applications/${h.fake.applicationId}/guilds/${h.fake.guildId}/commands`,
    ]);
  });

  it("registers globally when no guild is configured", async () => {
    const h = await startHarness({ guildScoped: false });
    expect(h.adapter.commandSync).toBe("registered");
    expect((h.fake.registeredCommands() as { name: string }[]).map((c) => c.name)).toContain("plan");
    expect(h.fake.registeredCommands(h.fake.guildId)).toEqual([]);
  });

  it("/p as a slash command with options creates the entry with repo and branch, and offers Plan/Approve buttons", async () => {
    const h = await startHarness();
    const handle = await h.fake.slashCommand({
      name: "p",
      options: [
        { name: "slug", type: 3, value: "slash-app" },
        { name: "description", type: 3, value: 'A todo app with "quotes" and reminders' },
        { name: "repo", type: 3, value: "x" },
        { name: "branch", type: 3, value: "y" },
      ],
      user: member,
      channelId: GENERAL,
    });
    await answered(h.fake, handle.id);
    const entry = await storedProject(h.dataDir, "slash-app");
    expect(entry).toMatchObject({
      name: "slash-app",
      description: 'A todo app with "quotes" and reminders',
      repo: "x",
      branch: "y",
      status: "pending",
    });
    const [callback] = transcriptBodies(h.fake, handle.id);
    expect(callback?.body.type).toBe(4);
    const data = callback?.body.data as { content: string; flags?: number; components: unknown[] };
    expect(data.content).toMatch(/Proposed \*\*slash-app\*\*/);
    expect(data.flags ?? 0).toBe(0);
    expect(buttonIds(data)).toEqual(["/plan slash-app", "/approve slash-app"]);
  });

  it("/p typed as text, and @planbot p …, create entries through the same parser", async () => {
    const h = await startHarness();
    const typed = await h.fake.sendMessage({
      channelId: GENERAL,
      author: member,
      content: "/p text-app A text app --repo x --branch y",
    });
    const reply = await eventually(
      () => messagesMatching(h.fake, GENERAL, /Proposed \*\*text-app\*\*/)[0],
      "the reply to the typed /p",
    );
    expect(reply.message_reference).toMatchObject({ message_id: typed.id });
    expect(await storedProject(h.dataDir, "text-app")).toMatchObject({
      description: "A text app",
      repo: "x",
      branch: "y",
    });

    // The alias is no slash command any more, but typed as text it still proposes.
    await h.fake.sendMessage({ channelId: GENERAL, author: member, content: "/propose alias-app Typed alias" });
    await eventually(
      () => messagesMatching(h.fake, GENERAL, /Proposed \*\*alias-app\*\*/)[0],
      "the reply to the typed /propose",
    );
    expect(await storedProject(h.dataDir, "alias-app")).toMatchObject({ description: "Typed alias" });

    await h.fake.sendMessage({
      channelId: GENERAL,
      author: member,
      content: "p mention-app Made by mention --base dev",
      mentionsBot: true,
    });
    await eventually(
      () => messagesMatching(h.fake, GENERAL, /Proposed \*\*mention-app\*\*/)[0],
      "the reply to the mention",
    );
    expect(await storedProject(h.dataDir, "mention-app")).toMatchObject({
      description: "Made by mention",
      base_branch: "dev",
    });

    // A usage error names the problem and shows the usage line.
    await h.fake.sendMessage({ channelId: GENERAL, author: member, content: "/p lonely-slug" });
    await eventually(
      () => messagesMatching(h.fake, GENERAL, /needs a description[\s\S]*Usage: \/p/)[0],
      "the usage error",
    );
    // Plain chat in a channel without a planning session is left alone.
    await h.fake.sendMessage({ channelId: GENERAL, author: member, content: "just chatting" });
    await h.fake.sendMessage({ channelId: GENERAL, author: member, content: "/whoami" });
    await eventually(() => messagesMatching(h.fake, GENERAL, /discord:2/)[0], "the whoami reply");
    expect(h.fake.channelMessages(GENERAL)).toHaveLength(5);
  });

  it("approves via the button for an admin; a member's click is refused ephemerally, naming the role", async () => {
    const h = await startHarness();
    await h.fake.sendMessage({ channelId: GENERAL, author: member, content: "/p button-app Approve me" });
    const card = await eventually(
      () => messagesMatching(h.fake, GENERAL, /Proposed \*\*button-app\*\*/)[0],
      "the proposal",
    );
    expect(buttonIds(card)).toContain("/approve button-app");

    const refused = await h.fake.clickButton({
      customId: "/approve button-app",
      user: member,
      channelId: GENERAL,
      messageId: card.id,
    });
    await answered(h.fake, refused.id);
    const refusal = transcriptBodies(h.fake, refused.id)[0]!.body.data as { content: string; flags: number };
    expect(refusal.flags & 64).toBe(64);
    expect(refusal.content).toMatch(/needs the admin role; you are a member/);
    expect((await storedProject(h.dataDir, "button-app"))?.status).toBe("pending");

    const approved = await h.fake.clickButton({
      customId: "/approve button-app",
      user: admin,
      channelId: GENERAL,
      messageId: card.id,
    });
    await answered(h.fake, approved.id);
    const done = transcriptBodies(h.fake, approved.id)[0]!.body.data as { content: string; flags?: number };
    expect(done.content).toMatch(/Approved \*\*button-app\*\*/);
    expect(done.flags ?? 0).toBe(0);
    expect((await storedProject(h.dataDir, "button-app"))?.status).toBe("approved");
  });

  it("answers errors ephemerally and guests only get help and whoami", async () => {
    const h = await startHarness();
    const missing = await h.fake.slashCommand({
      name: "approve",
      options: [{ name: "slug", type: 3, value: "nope" }],
      user: admin,
      channelId: GENERAL,
    });
    await answered(h.fake, missing.id);
    const error = transcriptBodies(h.fake, missing.id)[0]!.body.data as { content: string; flags: number };
    expect(error.flags & 64).toBe(64);
    expect(error.content).toMatch(/No project named "nope"/);

    const status = await h.fake.slashCommand({ name: "status", user: guest, channelId: GENERAL });
    await answered(h.fake, status.id);
    expect((transcriptBodies(h.fake, status.id)[0]!.body.data as { content: string }).content).toMatch(
      /needs the member role; you are not on the member or admin list/,
    );
  });

  it("autocompletes slug options from the store: prefix matches, at most 25", async () => {
    const h = await startHarness();
    // Written as another tool would (the store file is a shared contract); 33 proposals one by one take seconds.
    const slugs = [
      "alpha-one",
      "alpha-two",
      "beta",
      ...Array.from({ length: 30 }, (_, index) => `many-${String(index).padStart(2, "0")}`),
    ];
    const projects = slugs.map((name) => ({
      name,
      description: `project ${name}`,
      status: "pending",
      proposed_at: new Date().toISOString(),
    }));
    await writeFile(
      join(h.dataDir, "approved-tasks.json"),
      JSON.stringify({ projects, last_updated: new Date().toISOString(), version: 1 }),
    );

    const handle = await h.fake.autocomplete({
      name: "approve",
      options: [{ name: "slug", type: 3, value: "AL" }],
      user: member,
      channelId: GENERAL,
    });
    const callback = await h.fake.waitForRequest((r) => r.interactionId === handle.id && r.path.endsWith("/callback"));
    const choices = (callback.body as { type: number; data: { choices: { name: string; value: string }[] } }).data
      .choices;
    expect(choices.map((c) => c.value)).toEqual(["alpha-one", "alpha-two"]);
    expect(choices[0]!.name).toMatch(/alpha-one \(pending\)/);

    const many = await h.fake.autocomplete({
      name: "plan",
      options: [{ name: "slug", type: 3, value: "" }],
      user: member,
      channelId: GENERAL,
    });
    const all = await h.fake.waitForRequest((r) => r.interactionId === many.id && r.path.endsWith("/callback"));
    expect((all.body as { data: { choices: unknown[] } }).data.choices).toHaveLength(25);
    expect(all.status).toBe(204);

    // With the change watcher running (as under `planbot start`), suggestions come from its snapshot.
    await h.runtime.watcher.start();
    h.runtime.onStop(() => h.runtime.watcher.stop());
    expect(h.runtime.watcher.current().list.projects.map((p) => p.slug)).toContain("beta");
    const watched = await h.fake.autocomplete({
      name: "status",
      options: [{ name: "slug", type: 3, value: "bet" }],
      user: member,
      channelId: GENERAL,
    });
    const fromWatcher = await h.fake.waitForRequest(
      (r) => r.interactionId === watched.id && r.path.endsWith("/callback"),
    );
    expect((fromWatcher.body as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value)).toEqual([
      "beta",
    ]);
  });

  it("suggests first the projects a command is for: /unapprove the approved ones, /deliver the finished ones", async () => {
    const h = await startHarness();
    const projects = [
      ["a-pending", "pending"],
      ["b-approved", "approved"],
      ["c-failed", "failed"],
      ["d-cancelled", "cancelled"],
      ["e-approved", "approved"],
    ].map(([name, status]) => ({
      name,
      description: `project ${name}`,
      status,
      proposed_at: new Date().toISOString(),
    }));
    await writeFile(
      join(h.dataDir, "approved-tasks.json"),
      JSON.stringify({ projects, last_updated: new Date().toISOString(), version: 1 }),
    );
    const suggested = async (name: string, typed: string) => {
      const handle = await h.fake.autocomplete({
        name,
        options: [{ name: "slug", type: 3, value: typed }],
        user: member,
        channelId: GENERAL,
      });
      const callback = await h.fake.waitForRequest(
        (r) => r.interactionId === handle.id && r.path.endsWith("/callback"),
      );
      return (callback.body as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value);
    };
    // The others still follow: a command may be meant for a project in another state.
    expect(await suggested("unapprove", "")).toEqual([
      "b-approved",
      "e-approved",
      "a-pending",
      "c-failed",
      "d-cancelled",
    ]);
    expect(await suggested("deliver", "")).toEqual([
      "c-failed",
      "a-pending",
      "b-approved",
      "d-cancelled",
      "e-approved",
    ]);
    // Within each group, what starts with the typed text comes before what only contains it.
    expect(await suggested("approve", "a")).toEqual([
      "a-pending",
      "c-failed",
      "b-approved",
      "d-cancelled",
      "e-approved",
    ]);
    // A command without a declared fit keeps the store's order.
    expect(await suggested("status", "")).toEqual(["a-pending", "b-approved", "c-failed", "d-cancelled", "e-approved"]);
  });
});
