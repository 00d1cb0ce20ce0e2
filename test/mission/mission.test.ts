/**
 * The whole mission end to end, through the real `bin/planbot start` as a child process talking to the
 * fake Telegram and the fake Discord in this process: propose and plan in a Telegram group with the fake
 * planner, approve, /run, the fake Ralph implements every story in a clone of a bare remote, and the
 * outcome is announced exactly once — also when planbot is SIGKILLed while Ralph runs and restarted.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { git, groupAlive } from "../helpers/git-fixtures.ts";
import { count, createWorld, eventually, gatedRalphCommand, removeTempDirs, type World } from "./world.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
  await removeTempDirs();
});

async function world(options: Parameters<typeof createWorld>[0]): Promise<World> {
  const made = await createWorld(options);
  worlds.push(made);
  return made;
}

/** A complete notification as each platform renders it (Telegram: plain text; Discord: markdown). */
const COMPLETE = /is complete: \d+\/\d+ stories pass on branch/;

interface Prd {
  branchName?: string;
  userStories: { id: string; passes: boolean }[];
}

const parsePrd = (text: string): Prd => JSON.parse(text) as Prd;

/** Waits until the run's outcome is recorded and announced, then checks nothing more is queued or sent. */
async function settled(w: World, slug: string): Promise<void> {
  await eventually(
    `${slug} recorded complete and announced`,
    () => {
      const entry = w.entry(slug);
      const state = w.notificationState();
      return (
        entry?.status === "complete" &&
        entry.pid === null &&
        state?.last_status[slug] === "complete" &&
        state.outbox.length === 0 &&
        count(w.telegramTexts(), COMPLETE) >= 1 &&
        count(w.discordTexts(), COMPLETE) >= 1
      );
    },
    30_000,
    w.describe,
  );
  // Outcome recorded, announced and nothing queued: a duplicate would have to come from a later change. Give
  // the watcher a few more rescans to prove there is none.
  await new Promise((resolve) => setTimeout(resolve, 600));
}

describe("the mission, end to end (bin/planbot start + fake Telegram, Discord, planner, Ralph)", {
  timeout: 90_000,
}, () => {
  it("proposed and planned in a Telegram group, approved, /run: Ralph completes every story, one 'complete' in the group and in the Discord notify channel, and the branch holds the plan", async () => {
    const w = await world({ repo: "team/shop", env: { FAKE_RALPH_COMMIT: "1" } });
    const planbot = await w.startPlanbot();

    // Propose with repo, branch and base.
    const proposed = await w.command(
      `/p shop "A tiny shop for hand-made mugs" --repo team/shop --branch feat/x --base main`,
      /Proposed shop/,
    );
    expect(proposed.plain_text).toContain("A tiny shop for hand-made mugs");
    expect(w.entry("shop")).toMatchObject({
      status: "pending",
      repo: "team/shop",
      branch: "feat/x",
      base_branch: "main",
    });

    // Plan: the planner asks, the admin answers by replying to its question, /next ×3 writes the plan.
    const question = await w.command("/plan shop", /Planning shop — phase 1\/3: clarify/);
    expect(question.plain_text).toMatch(/\?/);
    const answer = await w.command(
      "Potters selling mugs; Node only",
      /You answered: "Potters selling mugs; Node only"/,
      question.message_id,
    );
    expect(answer.plain_text).toMatch(/Phase ready/);
    await w.command("/next", /shop — phase 2\/3: design/);
    await w.command("/next", /shop — phase 3\/3: stories/);
    const written = await w.command("/next", /Wrote final-plan\.md and prd\.json \(3 stories\)/);
    expect(
      written.reply_markup?.inline_keyboard
        .flat()
        // A choice's button carries its id before the command line (`!<choice id>/done`).
        .map((button) =>
          "callback_data" in button ? button.callback_data?.replace(/^![\w-]+(?=\/)/, "") : button.text,
        ),
    ).toContain("/done");
    const paths = workspacePaths(w.workspaceDir, "shop");
    const plannedPlan = readFileSync(paths.finalPlan, "utf8");
    const plannedPrd = parsePrd(readFileSync(paths.prd, "utf8"));
    expect(plannedPrd.userStories).toHaveLength(3);
    expect(plannedPrd.userStories.every((story) => story.passes === false)).toBe(true);

    // Approve.
    await w.command("/done", /Approved shop with its plan/);
    expect(w.entry("shop")).toMatchObject({ status: "approved", final_plan_path: paths.finalPlan });

    // Run from Telegram: the executor clones the remote, branches feat/x from main and starts Ralph.
    const started = await w.command("/run shop", /Started Ralph for shop \(PID \d+\) on branch feat\/x/);
    const ralphPid = Number(/\(PID (\d+)\)/.exec(started.plain_text)![1]);

    await settled(w, "shop");
    expect(groupAlive(ralphPid)).toBe(false);
    expect(planbot.exited()).toBe(false);

    // Exactly one "complete" where it was planned and in the notify channel, with the numbers and the branch.
    const telegramComplete = w.telegramTexts().filter((text) => COMPLETE.test(text));
    const discordComplete = w.discordTexts().filter((text) => COMPLETE.test(text));
    expect(telegramComplete, w.describe()).toHaveLength(1);
    expect(discordComplete, w.describe()).toHaveLength(1);
    // The headline, then the run report (stories, commits) on the following lines.
    expect(telegramComplete[0]!.split("\n")[0]).toMatch(
      /^shop is complete: 3\/3 stories pass on branch feat\/x, after (less than a minute|\d+ min)\.$/,
    );
    expect(discordComplete[0]!.split("\n")[0]).toMatch(
      /^\*\*shop\*\* is complete: 3\/3 stories pass on branch `feat\/x`, after (less than a minute|\d+ min)\.$/,
    );
    expect(discordComplete[0]).toMatch(/\n\*\*Commits:\*\* \d+ on `feat\/x` since `main`; newest: /);

    // The store: complete, PID cleared, the proposal's repo/branch/base kept.
    expect(w.entry("shop")).toMatchObject({
      status: "complete",
      pid: null,
      repo: "team/shop",
      branch: "feat/x",
      base_branch: "main",
      error: null,
    });
    expect(existsSync(paths.pidFile)).toBe(false);
    const shown = await w.show("shop");
    expect(shown).toMatchObject({ status: "complete", pid: null, stories_total: 3, stories_done: 3 });

    // The workspace: a clone of the remote on feat/x, branched from main, plan committed before Ralph's work.
    const ws = paths.root;
    expect(await git(ws, ["symbolic-ref", "--short", "HEAD"])).toBe("feat/x");
    expect(await git(ws, ["rev-parse", "main"])).toBe(w.remote.mainTip);
    expect(await git(ws, ["merge-base", "main", "feat/x"])).toBe(w.remote.mainTip);
    expect(await git(ws, ["remote", "get-url", "origin"])).toBe(w.remote.path);
    const subjects = (await git(ws, ["log", "--reverse", "--format=%s", "main..feat/x"])).split("\n");
    expect(subjects[0]).toBe("chore: planning artifacts");
    expect(subjects.slice(1)).toEqual(plannedPrd.userStories.map((story) => story.id));
    const artifacts = await git(ws, ["rev-list", "--reverse", "main..feat/x"]).then((out) => out.split("\n")[0]!);
    expect(await git(ws, ["show", `${artifacts}:scripts/ralph/final-plan.md`])).toBe(plannedPlan.trimEnd());
    expect(
      parsePrd(await git(ws, ["show", `${artifacts}:scripts/ralph/prd.json`])).userStories.map((story) => story.passes),
    ).toEqual([false, false, false]);
    // The branch tip (Ralph committed each story) and the working tree: every story passes.
    const finalPrd = parsePrd(await git(ws, ["show", "feat/x:scripts/ralph/prd.json"]));
    expect(finalPrd.userStories.map((story) => [story.id, story.passes])).toEqual(
      plannedPrd.userStories.map((story) => [story.id, true]),
    );
    expect(parsePrd(readFileSync(paths.prd, "utf8")).userStories.every((story) => story.passes === true)).toBe(true);
    expect(await git(ws, ["show", "feat/x:scripts/ralph/final-plan.md"])).toBe(plannedPlan.trimEnd());
    // planbot's copy of ralph.sh, the logs and the PID file never reach the branch.
    const tracked = (await git(ws, ["ls-tree", "-r", "--name-only", "feat/x"])).split("\n");
    expect(tracked).toEqual(
      expect.arrayContaining(["README.md", "src/app.txt", "scripts/ralph/final-plan.md", "scripts/ralph/prd.json"]),
    );
    expect(tracked.filter((file) => /ralph\.sh$|\/logs\/|\.ralph\.(pid|go)$/.test(file))).toEqual([]);
  });

  it.each([
    { ends: "after the restart", whileDown: false },
    { ends: "while planbot is down", whileDown: true },
  ])(
    "planbot SIGKILLed while Ralph runs, started again, Ralph ends $ends: Ralph survives, the status stays running-ralph, the run is recorded complete and announced once",
    async ({ whileDown }) => {
      const slug = whileDown ? "glaze" : "kiln";
      const w = await world({ repo: `team/${slug}`, env: {} });
      const gate = join(w.root, "ralph-go");
      w.env.RALPH_COMMAND = await gatedRalphCommand(w.root, gate);
      const first = await w.startPlanbot();

      // Proposed, planned (/done right away writes the plan from the first phase) and approved in the group.
      await w.command(
        `/p ${slug} "Kiln temperature logger" --repo team/${slug} --branch feat/x --base main`,
        new RegExp(`Proposed ${slug}`),
      );
      await w.command(`/plan ${slug}`, new RegExp(`Planning ${slug} — phase 1/3: clarify`));
      await w.command("/done", new RegExp(`Approved ${slug} with its plan`));
      await w.command(`/run ${slug}`, new RegExp(`Started Ralph for ${slug} \\(PID \\d+\\)`));

      // Ralph is recorded and running (held at the test's gate, so it cannot end before the test lets it).
      const pid = await eventually("Ralph's PID in the store", () => w.entry(slug)?.pid, 20_000, w.describe);
      const paths = workspacePaths(w.workspaceDir, slug);
      expect(w.entry(slug)?.status).toBe("running");
      expect(readFileSync(paths.pidFile, "utf8").trim()).toBe(String(pid));
      expect(await w.show(slug)).toMatchObject({ status: "running-ralph", pid });
      // The first lifetime announced the start (to the planning group and the notify channel).
      const startedTelegram = new RegExp(`Ralph started on ${slug} \\(branch feat/x\\): 3 stories to go`);
      const startedDiscord = new RegExp(`Ralph started on \\*\\*${slug}\\*\\*`);
      await eventually(
        "'Ralph started' announced",
        () => count(w.telegramTexts(), startedTelegram) === 1 && count(w.discordTexts(), startedDiscord) === 1,
        20_000,
        w.describe,
      );

      // planbot dies hard; Ralph, in its own process group, does not.
      await first.kill();
      expect(first.exited()).toBe(true);
      expect(groupAlive(pid)).toBe(true);
      expect(await w.show(slug)).toMatchObject({ status: "running-ralph", pid });
      expect(w.entry(slug)).toMatchObject({ status: "running", pid });

      if (whileDown) {
        // Ralph finishes with nobody watching: the store still names its PID; the derived status reads the PRD.
        await writeFile(gate, "go\n");
        await eventually("Ralph to end while planbot is down", () => !groupAlive(pid), 20_000, w.describe);
        expect(w.entry(slug)).toMatchObject({ status: "running", pid });
        expect(await w.show(slug)).toMatchObject({ status: "complete", stories_done: 3 });
      }
      // A new planbot, same environment.
      const second = await w.startPlanbot();
      if (!whileDown) {
        // Ralph is let go only now, and finishes under the new process (which never was its parent).
        expect(groupAlive(pid)).toBe(true);
        expect(w.entry(slug)).toMatchObject({ status: "running", pid });
        await writeFile(gate, "go\n");
      }

      await settled(w, slug);
      expect(groupAlive(pid)).toBe(false);
      expect(second.exited()).toBe(false);
      // Recorded by the second planbot: complete, PID and .ralph.pid cleared.
      expect(w.entry(slug)).toMatchObject({ status: "complete", pid: null, error: null });
      expect(existsSync(paths.pidFile)).toBe(false);
      expect(second.stderr()).toContain("recorded the outcome of an unwatched Ralph run");
      expect(await w.show(slug)).toMatchObject({ status: "complete", pid: null, stories_total: 3, stories_done: 3 });
      expect(parsePrd(readFileSync(paths.prd, "utf8")).userStories.every((story) => story.passes === true)).toBe(true);

      // Across both lifetimes: one "complete" in the planning group and one in the notify channel; the start
      // was announced once too (the restart did not announce it again).
      expect(count(w.telegramTexts(), COMPLETE), w.describe()).toBe(1);
      expect(count(w.discordTexts(), COMPLETE), w.describe()).toBe(1);
      expect(count(w.telegramTexts(), startedTelegram)).toBe(1);
      expect(count(w.discordTexts(), startedDiscord)).toBe(1);
      expect(
        w
          .telegramTexts()
          .find((text) => COMPLETE.test(text))
          ?.split("\n")[0],
      ).toMatch(
        new RegExp(`^${slug} is complete: 3/3 stories pass on branch feat/x, after (less than a minute|\\d+ min)\\.$`),
      );
    },
  );
});
