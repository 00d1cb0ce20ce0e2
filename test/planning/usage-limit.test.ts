/**
 * A usage limit keeps the member's message and sends it again when the limit resets — also from a
 * planbot that was restarted meanwhile. The fake CLI answers with the CLI's own wording
 * ("Claude AI usage limit reached|<epoch>") until the limit it set is over.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import type { Incoming } from "../../src/chat/incoming.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { usageLimitResetAt } from "../../src/planning/usage-limit.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.stop()));
  await temp.cleanup();
});

describe("usage limits", { timeout: 60_000 }, () => {
  it("reads when the limit resets from the CLI's wordings", ({ expect }) => {
    const now = new Date("2026-03-07T12:10:00Z");
    expect(usageLimitResetAt("Claude AI usage limit reached|1772888400", now)?.toISOString()).toBe(
      "2026-03-07T13:00:00.000Z",
    );
    expect(usageLimitResetAt("You've hit your limit · resets 3pm (UTC)", now)?.toISOString()).toBe(
      "2026-03-07T15:00:00.000Z",
    );
    expect(usageLimitResetAt("You've hit your session limit · resets 1:30pm (Europe/Lisbon)", now)?.toISOString()).toBe(
      "2026-03-07T13:30:00.000Z",
    );
    expect(usageLimitResetAt("You've hit your limit · resets 9am (UTC)", now)?.toISOString()).toBe(
      "2026-03-08T09:00:00.000Z",
    );
    expect(usageLimitResetAt("Claude AI usage limit reached|1000", now)).toBeUndefined();
    expect(usageLimitResetAt("overloaded", now)).toBeUndefined();
  });

  it("keeps the message, and a restarted planbot sends it again when the limit resets", async ({ expect }) => {
    const root = await temp.make("usage-limit-");
    const claudeDir = join(root, "claude");
    await mkdir(claudeDir, { recursive: true });
    const loaded = loadConfig(
      { PLANBOT_DATA_DIR: join(root, "data"), PLANNER_COMMAND: fakeClaudePath, PLANNER_TIMEOUT_S: "20" },
      root,
    );
    if (!loaded.ok) throw new Error(loaded.message);
    const outbox: Reply[] = [];
    const build = () => {
      const runtime = createRuntime(loaded.config, silentLogger, {
        env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir },
      });
      runtime.outbound.register("memory", {
        send: async (_target, reply) => (outbox.push(reply), { ok: true, messageIds: [] }),
      });
      runtimes.push(runtime);
      return runtime;
    };
    const incoming = (text: string): Incoming => ({
      adapter: "memory",
      channelId: "room",
      userId: "u1",
      userName: "ana",
      text,
    });

    const first = build();
    expect(
      (
        await first.planning.start({
          incoming: incoming("/plan limited"),
          slug: "limited",
          description: "Limited plans",
          force: false,
        })
      ).ok,
    ).toBe(true);
    const limited = await first.planning.answer({ incoming: incoming("[[fake:usage-limit=4]] Gift cards too") });
    expect(limited.ok).toBe(false);
    if (limited.ok) return;
    expect(limited.details?.reason).toBe("usage_limit");
    expect(limited.message).toContain("keeps your message and sends it again at");
    const kept = await first.planning.sessionForSlug("limited");
    expect(kept.ok && kept.session?.deferred_message).toMatchObject({ shown: "[[fake:usage-limit=4]] Gift cards too" });

    await first.stop();
    const second = build();
    await second.planning.recoverInterrupted();
    expect(
      await waitUntil(() => outbox.some((reply) => reply.text.includes('You answered: "Gift cards too"')), 20_000),
    ).toBe(true);
    const resent = outbox.find((reply) => reply.text.includes('You answered: "Gift cards too"'))!;
    expect(resent.text).toContain("The usage limit has reset");
    const after = await second.planning.sessionForSlug("limited");
    expect(after.ok ? (after.session?.deferred_message ?? null) : "unreadable").toBeNull();
    expect(after.ok && after.session?.turns).toBe(2);
  });
});
