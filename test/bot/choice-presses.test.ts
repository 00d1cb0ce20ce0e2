// Choices through the real bot (store services, the real command chain) and the real ledger file:
// presses at the same moment, two processes' worth of ledgers, pruning by age, a corrupt ledger, and
// typed commands that the ledger never blocks.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../../src/bot/bot.ts";
import { CHOICE_RETENTION_MS, createChoiceLedger } from "../../src/bot/choice-ledger.ts";
import { createDefaultRegistry } from "../../src/bot/commands/index.ts";
import { createRoles } from "../../src/bot/roles.ts";
import type { Incoming } from "../../src/chat/incoming.ts";
import { renderPlainText } from "../../src/chat/plain-text.ts";
import { KEEP_TALKING_COMMAND } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createCoreServices, type CoreServices } from "../../src/projects/core-services.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

const ADMIN = "1";
const MEMBER = "2";

async function setup(): Promise<{ dir: string; core: CoreServices; botAt: (now?: () => Date) => Bot }> {
  const dir = await temp.make("choices-");
  const loaded = loadConfig(
    { PLANBOT_DATA_DIR: dir, PLANBOT_ADMINS: `discord:${ADMIN}`, PLANBOT_MEMBERS: `discord:${MEMBER}` },
    dir,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const core = createCoreServices(loaded.config);
  for (const slug of ["alpha", "beta"]) {
    const proposed = await core.lifecycle.propose({ slug, description: `Project ${slug}` });
    if (!proposed.ok) throw new Error(proposed.message);
  }
  // Each call is a separate bot with its own ledger over the same file: what two planbot processes would have.
  const botAt = (now: () => Date = () => new Date()) =>
    createBot({
      registry: createDefaultRegistry(),
      services: { lifecycle: core.lifecycle, lister: core.lister, clock: { now } },
      roles: createRoles(loaded.config),
      log: silentLogger,
      choices: createChoiceLedger(dir, now),
    });
  return { dir, core, botAt };
}

const press = (userId: string, text: string, channelId = "chan-1"): Incoming => ({
  adapter: "discord",
  channelId,
  userId,
  userName: userId === ADMIN ? "ada" : "max",
  text,
});

describe("choice presses", () => {
  it("presses at the same moment from two bots over one ledger: exactly one acts, the rest hear who chose", async () => {
    const { core, botAt } = await setup();
    const bots = [botAt(), botAt()];
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        bots[index % 2]!.press(press(ADMIN, "/cancel alpha", `chan-${index}`), { id: "c-alpha", label: "Cancel" }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.kind === "claimed")).toHaveLength(1);
    const spent = outcomes.filter((outcome) => outcome.kind === "spent");
    expect(spent).toHaveLength(7);
    for (const outcome of spent)
      expect(outcome.reply.text).toMatch(/^Already chosen: Cancel, by ada at \d\d:\d\d UTC\.$/);
    const winner = outcomes.find((outcome) => outcome.kind === "claimed")!;
    if (winner.kind !== "claimed") throw new Error("no winner");
    const replies = await winner.run();
    expect(replies[0]!.text).toMatch(/^Cancelled \*\*alpha\*\*/);
    const listed = await core.lister.get("alpha");
    expect(listed.ok && listed.record?.status).toBe("cancelled");
  });

  it("a refused press leaves the choice open; a stale press that wins runs and answers with the command's own error", async () => {
    const { botAt } = await setup();
    const bot = botAt();
    const refused = await bot.press(press(MEMBER, "/cancel beta"), { id: "c-beta", label: "Cancel" });
    expect(refused.kind).toBe("refused");
    if (refused.kind !== "refused") return;
    expect(refused.replies[0]!.text).toMatch(/\/cancel needs the admin role/);

    const claimed = await bot.press(press(ADMIN, "/run beta"), { id: "c-beta", label: "Run now" });
    expect(claimed.kind).toBe("claimed");
    if (claimed.kind !== "claimed") return;
    expect(claimed.chosen).toMatch(/^Chosen: Run now, by ada at \d\d:\d\d UTC\.$/);
    // No executor in this bot: the command's own answer, not a crash and not a second action.
    const replies = await claimed.run();
    expect(replies[0]!.tone).toBe("error");
    expect(replies[0]!.text).toMatch(/executor is not available/);
  });

  it("Retry on a failed run's report approves the project again before /run starts it", async () => {
    const { dir, core } = await setup();
    await core.lifecycle.approve("alpha");
    await core.lifecycle.update("alpha", (entry) => {
      entry.status = "failed";
      entry.error = "Ralph exited with code 1";
    });
    // The executor port as /run sees it: it reports the status the project had when it was asked to run.
    const seen: (string | undefined)[] = [];
    const loaded = loadConfig({ PLANBOT_DATA_DIR: dir, PLANBOT_ADMINS: `discord:${ADMIN}` }, dir);
    if (!loaded.ok) throw new Error(loaded.message);
    const bot = createBot({
      registry: createDefaultRegistry(),
      services: {
        lifecycle: core.lifecycle,
        lister: core.lister,
        clock: core.clock,
        executor: {
          async runNow(slug) {
            const read = await core.store.read();
            seen.push(read.ok ? read.file.projects?.find((p) => p.name === slug)?.status : undefined);
            return { ok: true, message: `Started Ralph for ${slug}.` };
          },
        },
      },
      roles: createRoles(loaded.config),
      log: silentLogger,
      choices: createChoiceLedger(dir),
    });
    const outcome = await bot.press(press(ADMIN, "/run alpha"), { id: "report-alpha", label: "Retry" });
    if (outcome.kind !== "claimed") throw new Error(`expected a claim, got ${outcome.kind}`);
    expect((await outcome.run())[0]!.text).toBe("Started Ralph for alpha.");
    expect(seen).toEqual(["approved"]);
    // A project that is not failed or blocked is left to /run's own answer.
    await core.lifecycle.cancel("beta");
    await bot.handleCommand(press(ADMIN, "/run beta"));
    expect(seen).toEqual(["approved", "cancelled"]);
  });

  it("typed commands are never blocked by the ledger", async () => {
    const { botAt } = await setup();
    const bot = botAt();
    const first = await bot.press(press(ADMIN, "/status alpha"), { id: "c-typed", label: "Status" });
    expect(first.kind).toBe("claimed");
    expect((await bot.press(press(ADMIN, "/status alpha"), { id: "c-typed", label: "Status" })).kind).toBe("spent");
    // The same command line typed (bot.handle, as every adapter hands typed text in) runs as usual.
    const typed = await bot.handle(press(ADMIN, "/status alpha"));
    expect(typed.kind).toBe("command");
    if (typed.kind !== "command") return;
    expect(typed.replies[0]!.tone).not.toBe("error");
    expect(typed.replies[0]!.text).not.toMatch(/Already chosen/);
    expect(typed.replies[0]!.text).toMatch(/alpha/);
  });

  it("choices older than the retention are pruned at the next claim; a corrupt ledger refuses presses and is kept", async () => {
    const { dir, botAt } = await setup();
    const long = Date.now() - CHOICE_RETENTION_MS - 60_000;
    await botAt(() => new Date(long)).press(press(ADMIN, "/status alpha"), { id: "old", label: "Status" });
    await botAt().press(press(ADMIN, "/status beta"), { id: "new", label: "Status" });
    const ledger = JSON.parse(readFileSync(join(dir, "choices.json"), "utf8")) as { choices: Record<string, unknown> };
    expect(Object.keys(ledger.choices)).toEqual(["new"]);

    writeFileSync(join(dir, "choices.json"), "{ not json");
    const outcome = await botAt().press(press(ADMIN, "/cancel alpha"), { id: "other", label: "Cancel" });
    expect(outcome.kind).toBe("refused");
    if (outcome.kind !== "refused") return;
    expect(outcome.replies[0]!.text).toMatch(/could not record this choice .*; type `\/cancel alpha` instead\./);
    expect(readFileSync(join(dir, "choices.json"), "utf8")).toBe("{ not json");
  });

  it("the terminal names an attached file by its path and lists no Keep talking command (typing on is keeping talking)", () => {
    expect(
      renderPlainText({
        text: "Phase ready.",
        actions: [
          { label: "Next phase", command: "/next" },
          { label: "Keep talking", command: KEEP_TALKING_COMMAND },
        ],
        choice: "abc",
      }),
    ).toBe("Phase ready.\n  [Next phase] /next");
    const text = renderPlainText({
      text: "Approved **alpha**.",
      attachment: { name: "final-plan.md", content: "# Plan", path: "/w/alpha/scripts/ralph/final-plan.md" },
      actions: [{ label: "Run now", command: "/run alpha" }],
    });
    expect(text).toBe(
      "Approved alpha.\n  (final-plan.md: /w/alpha/scripts/ralph/final-plan.md)\n  [Run now] /run alpha",
    );
  });
});
