// A queued run whose worker could not push its branch: the worker words the push as a local run would and
// the bot stores it, including who can fix it. The remote refuses through a real pre-receive hook that
// answers as a git host does. A real redis-server, a real `bin/planbot worker` and a real bare remote.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectCard } from "../../src/bot/project-card.ts";
import type { DeliverySetup } from "../../src/deliver/deliver-again-offer.ts";
import { deliveryReply } from "../../src/deliver/delivery-notices.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import type { QueueWorld } from "./harness.ts";
import { useQueueFixture } from "./queue-fixture.ts";

const { setUp } = useQueueFixture();

/** The bot as planbot runs it with a queue: PUSH_ON=complete, GIT_REMOTE_BASE set (the harness's bot leaves PUSH_ON out). */
const BOT_PUSHES: DeliverySetup = { pushOn: "complete", remote: true };

/** Makes the bare remote refuse every push with `words` on stderr, as the git host would answer. */
async function refusePushes(world: QueueWorld, words: string): Promise<void> {
  const hook = join(world.remote.path, "hooks", "pre-receive");
  await writeFile(hook, `#!/bin/sh\necho '${words}' >&2\nexit 1\n`);
  await chmod(hook, 0o755);
}

async function recordOf(world: QueueWorld, slug: string) {
  const lister = createProjectLister({
    store: world.store,
    clock: systemClock,
    workspaceDir: join(world.root, "bot", "workspace"),
  });
  const got = await lister.get(slug);
  const record = got.ok ? got.record : undefined;
  if (!record) throw new Error(`expected the record of ${slug}`);
  return record;
}

describe("a queued run whose worker could not push", { timeout: 120_000 }, () => {
  it("a push the remote refuses for the worker's credentials is stored as the operator's: chats say to tell the admin", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await refusePushes(world, "ERROR: Permission denied to planbot-worker.");
    await world.approve("tango");
    await world.startWorker({ FAKE_RALPH_COMMIT: "1" });

    const ran = await world.executor.runOnce({ slug: "tango" });
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.runs[0]).toMatchObject({ outcome: "complete", message: expect.stringContaining("was not pushed") });
    expect((await world.entry("tango")).delivery).toMatchObject({
      ok: false,
      pushed: false,
      branch: "ralph/tango",
      hint: expect.stringContaining("machine's git credentials"),
      hint_operator: true,
    });

    const record = await recordOf(world, "tango");
    // The worker's split reaches the bot: what failed in plain words, never git's output (it names the remote).
    // The run's commits stay on the worker, so the way on is a new run, not /deliver from the bot's copy.
    const admin =
      "Please tell planbot's admin: only they can fix planbot's access to the remote repository. Once they have, plan it again and run it: `/replan tango`.";
    expect(projectCard(record)).toContain(
      `Delivery: the remote did not accept planbot's access, so branch \`ralph/tango\` was not pushed — ${admin}`,
    );
    expect(projectCard(record)).not.toContain("Permission denied");
    expect(projectCard(record)).not.toContain("GITHUB");
    expect(projectCard(record, { operator: true })).toContain("GITHUB\\_TOKEN");
    const notice = deliveryReply(record, BOT_PUSHES);
    expect(notice.text).toContain(`What to do: ${admin}`);
    expect(notice.operatorText).toContain("What to do: Check GITHUB\\_TOKEN");
  });

  it("a protected branch on the worker's push reaches the bot split: the member's /edit, then the admin's part", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await refusePushes(world, "error: GH006: Protected branch update failed for refs/heads/ralph/uniform.");
    await world.approve("uniform");
    await world.startWorker({ FAKE_RALPH_COMMIT: "1" });

    const ran = await world.executor.runOnce({ slug: "uniform" });
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.runs[0]).toMatchObject({ outcome: "complete" });
    const entry = await world.entry("uniform");
    expect(entry.delivery).toMatchObject({
      ok: false,
      pushed: false,
      problem: "branch_protected",
      next: { kind: "edit", field: "branch" },
      operator: "push_permission",
    });
    expect(entry.delivery).not.toHaveProperty("hint_operator");

    const notice = deliveryReply(await recordOf(world, "uniform"), BOT_PUSHES);
    expect(notice.text).toBe(
      "**uniform** could not be fully delivered: the remote protects branch `ralph/uniform`, so planbot could not push the work there\nWhat to do: To deliver to another branch, set it: `/edit uniform --branch B`, then plan it again and run it: `/replan uniform`. For the rest, tell planbot's admin: only they can let planbot push to that branch.",
    );
    expect(notice.operatorText).toContain("GH006");
    expect(notice.actions?.map((action) => action.command)).toEqual(["/replan uniform", "/status uniform"]);
    // The terminal reads where the commits are and what works instead of /deliver.
    expect(notice.operatorText).toContain(
      "It cannot be delivered again from here: the run's commits (branch `ralph/uniform`) are in the workspace on worker",
    );
  });
});
