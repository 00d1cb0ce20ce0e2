// What a newcomer does in Discord, through the real discord.js Client against the fake Discord with the fake
// planner: commands typed in a planning thread while the planner thinks.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  admin,
  answered,
  closeAll,
  createdThread,
  eventually,
  GENERAL,
  messagesMatching,
  startHarness,
  transcriptBodies,
} from "./harness.ts";

afterEach(closeAll);

describe("discord: a newcomer's mistakes", () => {
  it("/stop typed in a planning thread while the planner thinks is answered at once and stops that turn", {
    timeout: 90_000,
  }, async () => {
    const h = await startHarness();
    await h.runtime.core.lifecycle.propose({ slug: "slow-app", description: "A slow app" });
    await h.fake.sendMessage({ channelId: GENERAL, author: admin, content: "/plan slow-app" });
    const thread = await createdThread(h.fake);
    await eventually(() => messagesMatching(h.fake, thread.id, /^Planning \*\*slow-app\*\*/)[0], "the opening", 20_000);

    await h.fake.sendMessage({ channelId: thread.id, author: admin, content: "[[fake:slow=40000]] a long answer" });
    const calls = join(h.dataDir, "claude-config", "fake-claude", "calls.jsonl");
    await eventually(
      () => existsSync(calls) && readFileSync(calls, "utf8").includes("a long answer"),
      "the planner getting the answer",
    );
    await h.fake.sendMessage({ channelId: thread.id, author: admin, content: "/status" });
    await h.fake.sendMessage({ channelId: thread.id, author: admin, content: "/stop" });
    await eventually(
      () => messagesMatching(h.fake, thread.id, /^Stopped planning \*\*slow-app\*\*; it is pending again/)[0],
      "the /stop reply",
      60_000,
    );
    const texts = h.fake.channelMessages(thread.id).map((message) => message.content);
    // Both commands were answered before the planner's turn could end, and that turn never answered.
    expect(texts.some((text) => /^\*\*Projects\*\* \(1\)/.test(text))).toBe(true);
    expect(texts.some((text) => text.includes("You answered"))).toBe(false);
    await eventually(
      () => messagesMatching(h.fake, thread.id, /its answer was discarded/)[0],
      "the stopped turn's notice",
      20_000,
    );
  });

  it("/continue from the slash menu in a text channel joins in a thread of its own; a failed one leaves no thread", async () => {
    const h = await startHarness();
    await h.runtime.core.lifecycle.propose({ slug: "dm-app", description: "Planned in a DM" });
    const dm = h.fake.dmChannel(admin.id);
    await h.fake.sendMessage({ channelId: dm, author: admin, content: "/plan dm-app" });
    await eventually(
      () => messagesMatching(h.fake, dm, /^Planning \*\*dm-app\*\*/)[0],
      "the opening in the DM",
      20_000,
    );

    const missing = await h.fake.slashCommand({
      name: "continue",
      options: [{ name: "slug", type: 3, value: "nobody-app" }],
      user: admin,
      channelId: GENERAL,
    });
    await answered(h.fake, missing.id, "the refusal");
    expect(JSON.stringify(transcriptBodies(h.fake, missing.id))).toContain(
      "Nobody is planning **nobody-app** right now",
    );
    const unused = await createdThread(h.fake, GENERAL, 0);
    await eventually(
      () => h.fake.requests.some((r) => r.method === "DELETE" && r.path === `/channels/${unused.id}`),
      "the failed /continue's thread removed",
    );

    const joined = await h.fake.slashCommand({
      name: "continue",
      options: [{ name: "slug", type: 3, value: "dm-app" }],
      user: admin,
      channelId: GENERAL,
    });
    await answered(h.fake, joined.id, "the pointer to the thread");
    const threads = h.fake.requests.filter((r) => r.method === "POST" && r.path === `/channels/${GENERAL}/threads`);
    // The failed /continue's thread was removed again; the second one holds the session.
    const thread = await createdThread(h.fake, GENERAL, threads.length - 1);
    expect(thread.name).toBe("plan: dm-app");
    expect(JSON.stringify(transcriptBodies(h.fake, joined.id))).toContain(
      `Planning **dm-app** in <#${thread.id}>: answer the planner there.`,
    );
    await eventually(
      () => messagesMatching(h.fake, thread.id, /now follows the planning of \*\*dm-app\*\*/)[0],
      "the /continue reply in the thread",
    );
    expect(await h.runtime.bot.hasSession({ adapter: "discord", channelId: thread.id })).toBe(true);
    expect(await h.runtime.bot.hasSession({ adapter: "discord", channelId: GENERAL })).toBe(false);
  });
});
