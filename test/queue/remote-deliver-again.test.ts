// `/deliver` with the job queue on: a queued run's commits stay on the worker that ran it, and the bot's copy
// of the project never gets them. What the worker pushed is delivered again from the bot (it opens the pull
// request with its own token); what it could not push, the bot cannot deliver, so the advice is a new run.
// A real redis-server, a real `bin/planbot worker`, a real bare remote and the fake GitHub; `/deliver` typed
// in Telegram to a bot runtime on the same data folder with PLANBOT_QUEUE_URL set.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeGithub } from "../fakes/github/server.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import type { QueueWorld } from "./harness.ts";
import { useQueueFixture } from "./queue-fixture.ts";

const TOKEN = "ghp_queueTOKEN0123456789abcdefABCDEF012";
const WRONG = "ghp_wrongTOKEN0123456789abcdefABCDEF01";
const { setUp, cleanup } = useQueueFixture();

/** The bot's chats over the world's data folder, with the token the admin has set by now. */
async function botChats(world: QueueWorld, redisUrl: string, github: { url: string }) {
  const chats = await startChatSurfaces({
    root: world.root,
    dataDir: world.config.dataDir,
    env: {
      PLANBOT_WORKSPACE_DIR: world.config.workspaceDir,
      PLANBOT_QUEUE_URL: redisUrl,
      GIT_REMOTE_BASE: world.remote.base,
      GITHUB_TOKEN: TOKEN,
      GITHUB_OWNER: "acme",
      GITHUB_API_URL: github.url,
      PUSH_ON: "complete",
    },
  });
  cleanup(() => chats.close());
  return chats;
}

describe("/deliver with the job queue on", { timeout: 120_000 }, () => {
  it("a pull request the bot could not open after the worker pushed is opened by /deliver once the token is fixed", async () => {
    const github = await startFakeGithub(TOKEN);
    cleanup(() => github.close());
    const { world, redis } = await setUp({ lockMs: 10_000, github: { fake: github, token: WRONG } });
    await world.approve("oscar");
    await world.startWorker({ FAKE_RALPH_COMMIT: "1" });
    const ran = await world.executor.runOnce({ slug: "oscar" });
    if (!ran.ok) throw new Error(ran.message);
    expect((await world.entry("oscar")).delivery).toMatchObject({ ok: false, pushed: true, problem: "pr_auth" });

    const chats = await botChats(world, redis.url, github);
    const said = await chats.telegramSays("/deliver oscar", /ready for review|could not|nothing to deliver/);
    expect(said).toContain("oscar: branch ralph/oscar pushed; draft pull request #1 is ready for review.");
    expect(github.pulls("acme", "shared")).toMatchObject([{ head: "ralph/oscar", base: "main", draft: true }]);
    expect(await world.entry("oscar")).toMatchObject({
      status: "complete",
      delivery: { ok: true, pushed: true, branch: "ralph/oscar" },
      pull_request: { number: 1 },
    });
  });

  it("a branch the worker could not push: the advice is a new plan and run, which is what /deliver says too", async () => {
    const { world, redis } = await setUp({ lockMs: 10_000 });
    const hook = join(world.remote.path, "hooks", "pre-receive");
    await writeFile(
      hook,
      "#!/bin/sh\necho 'error: GH006: Protected branch update failed for refs/heads/ralph/papa.' >&2\nexit 1\n",
    );
    await chmod(hook, 0o755);
    await world.approve("papa");
    const worker = await world.startWorker({ FAKE_RALPH_COMMIT: "1" });
    const ran = await world.executor.runOnce({ slug: "papa" });
    if (!ran.ok) throw new Error(ran.message);
    expect((await world.entry("papa")).delivery).toMatchObject({
      ok: false,
      pushed: false,
      problem: "branch_protected",
      worker: worker.name,
    });

    const github = await startFakeGithub(TOKEN);
    cleanup(() => github.close());
    const chats = await botChats(world, redis.url, github);
    const card = await chats.telegramSays("/status papa", "Delivery:");
    expect(card).toContain(
      "To deliver to another branch, set it: /edit papa --branch B, then plan it again and run it: /replan papa.",
    );
    expect(card).not.toContain("/deliver");
    // No button offers what /deliver would refuse.
    const buttons = (text: string) =>
      (
        chats.telegram
          .sentMessages(1)
          .filter((sent) => sent.plain_text.includes(text))
          .at(-1)?.reply_markup?.inline_keyboard ?? []
      )
        .flat()
        .map((button) => button.text);
    expect(buttons("Delivery:")).not.toContain("Deliver again");
    // What /deliver answers agrees: the work is on the worker, not here, and a new plan is the way on.
    const refused = await chats.telegramSays("/deliver papa", "cannot deliver it again");
    expect(refused).toContain(
      `papa: Its work stayed on worker ${worker.name}, which could not push it, so planbot cannot deliver it again from here. To get the work delivered, plan it again and run it: /replan papa.`,
    );
    expect(buttons("cannot deliver it again")).toContain("Re-plan");
    // The terminal (planbot's operator) reads where the commits are and what to do with them.
    const operator = await chats.terminal.type("/deliver papa", "Push the branch");
    expect(operator).toContain(
      `the run's commits (branch ralph/papa) are in the workspace on worker ${worker.name}, which could not push them, and planbot's copy has none. Push the branch from that workspace by hand and open its pull request on GitHub, or plan it again and run it: /replan papa.`,
    );
  });
});
