// What a newcomer does in Discord, through the real discord.js Client against the fake Discord with the fake
// planner: commands typed in a planning thread while the planner thinks.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { admin, closeAll, createdThread, eventually, GENERAL, messagesMatching, startHarness } from "./harness.ts";

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
});
