import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.ts";
import { createNotifier } from "../../src/notify/notifier.ts";
import { refusalReply } from "../../src/notify/refusal-notices.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import { waitUntil } from "../helpers/git-fixtures.ts";
import { createRecordingOutbound, sleep } from "../helpers/notify-fixtures.ts";
import { useQueueFixture } from "./queue-fixture.ts";

// A worker's preflight refusal, as the local executor's: a real redis-server, real `bin/planbot worker`
// processes, and the real notifier over the bot's change watcher, delivering to a recording outbound.
const { setUp, cleanup } = useQueueFixture();

describe("a run a worker refuses", { timeout: 120_000 }, () => {
  it("leaves the project approved, tells its chats why and what to do, and the next /run goes ahead", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await world.approve("quebec");
    // The notifier's first start records the statuses it finds silently: the approval is seen first.
    await waitUntil("the approval seen", () => world.transitions.includes("quebec:approved"));
    const dataDir = join(world.root, "bot");
    const memory = createRecordingOutbound();
    const notifier = createNotifier({
      watcher: world.watcher,
      outbound: memory.outbound,
      chatsForProject: async () => [{ adapter: "memory", channelId: "plan-chat" }],
      canDeliverTo: () => true,
      notifyTargets: [{ adapter: "memory", channelId: "ops" }],
      clock: systemClock,
      log: silentLogger,
      dataDir,
      workspaceDir: join(dataDir, "workspace"),
      backoffMs: 50,
    });
    cleanup(() => notifier.stop());
    await notifier.start();

    // This worker's RALPH_COMMAND names a script the repository does not have: its preflight refuses.
    const misconfigured = await world.startWorker({ RALPH_COMMAND: "scripts/ralph/missing.sh --tool claude 10" });
    const seenBefore = world.transitions.length;
    const queued = await world.executor.runNow("quebec");
    expect(queued.ok).toBe(true);
    const run = await waitUntil("the refusal recorded", async () => {
      const current = await world.queueRun("quebec");
      return current?.state === "refused" ? current : undefined;
    });
    expect(run).toMatchObject({ worker: misconfigured.name, outcome: "refused" });
    expect(run.error).toMatch(/Ralph's script scripts\/ralph\/missing\.sh is not in the workspace/);
    // Nothing ran: the project is approved as before, with no error stored and nothing failed.
    const entry = await world.entry("quebec");
    expect(entry.status).toBe("approved");
    expect(entry.error ?? null).toBeNull();
    expect(world.transitions.slice(seenBefore)).toEqual([]);

    // Both chats hear it once: where, why, what to do, and that the project waits.
    await memory.waitFor((sent) => sent.length >= 2, 10_000);
    await sleep(300);
    for (const chat of ["memory:ops", "memory:plan-chat"]) {
      const texts = memory.to(chat).map((delivery) => delivery.reply.text);
      expect(texts, JSON.stringify(texts)).toHaveLength(1);
      expect(texts[0]).toMatch(
        new RegExp(`^\\*\\*quebec\\*\\*: Ralph was not started on worker \`${misconfigured.name}\`: Ralph's script`),
      );
      // A chat member reads their part (the file to add on the base branch) and whom to tell for the rest.
      expect(texts[0]).toContain(
        "Nothing ran: the project stays approved. Add it to the project's repository: commit it at `scripts/ralph/missing.sh` on the project's base branch and push (the next run picks it up). Or tell planbot's admin: only they can give planbot its own copy of Ralph on the server. Once it is fixed, run it again with `/run quebec`.",
      );
      expect(texts[0]).not.toContain("RALPH");
      // The operator's own chat gets the worker's fix (escaped markup, so it shows RALPH_COMMAND as typed).
      expect(memory.to(chat)[0]!.reply.operatorText).toContain(
        "set RALPH\\_COMMAND to the absolute path of the script on the server",
      );
      expect(memory.to(chat)[0]!.reply.actions?.map((action) => action.command)).toEqual([
        "/run quebec",
        "/status quebec",
      ]);
    }

    // The schedule (or `planbot execute`) runs into the same refusal: the chats heard it, nothing new is sent —
    // not once a day until someone fixes the worker.
    const scheduled = await world.executor.runOnce({ slug: "quebec" });
    if (!scheduled.ok) throw new Error(scheduled.message);
    expect(scheduled.runs.map((report) => report.outcome)).toEqual(["refused"]);
    await sleep(500);
    for (const chat of ["memory:ops", "memory:plan-chat"]) expect(memory.to(chat)).toHaveLength(1);
    // Someone asks again (`/run`, whose reply only says "queued"): they hear why again.
    expect((await world.executor.runNow("quebec")).ok).toBe(true);
    await memory.waitFor((sent) => sent.length >= 4, 10_000);
    for (const chat of ["memory:ops", "memory:plan-chat"]) {
      expect(memory.to(chat)[1]!.reply.text).toMatch(/^\*\*quebec\*\*: Ralph was not started on worker/);
    }

    // Fixed (a worker set up right takes over): the same project runs and completes.
    misconfigured.child.kill("SIGTERM");
    await misconfigured.child;
    await world.startWorker();
    const again = await world.executor.runOnce({ slug: "quebec" });
    if (!again.ok) throw new Error(again.message);
    expect(again.runs.map((report) => report.outcome)).toEqual(["complete"]);
    expect((await world.entry("quebec")).status).toBe("complete");
    await memory.waitFor((sent) => sent.some((delivery) => /quebec\*\* is complete/.test(delivery.reply.text)), 10_000);
    // The refusal was told to both chats once per /run, never for the scheduled repeat, never after the fix.
    expect(memory.sent.filter((delivery) => /was not started/.test(delivery.reply.text))).toHaveLength(4);
  });

  it("a script the repository carries without its executable bit: the stored refusal keeps the member's part", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await world.approve("romeo");
    // RALPH_COMMAND names a file the shared repository carries with mode 644 (src/app.txt).
    const worker = await world.startWorker({ RALPH_COMMAND: "src/app.txt" });
    expect((await world.executor.runNow("romeo")).ok).toBe(true);
    const run = await waitUntil("the refusal recorded", async () => {
      const current = await world.queueRun("romeo");
      return current?.state === "refused" ? current : undefined;
    });
    expect(run).toMatchObject({ worker: worker.name, outcome: "refused" });
    expect(run.error).toContain("git update-index --chmod=+x src/app.txt");
    const entry = await world.entry("romeo");
    expect(entry.run_refusal).toMatchObject({ check: "script_executable", repo_path: "src/app.txt" });

    const lister = createProjectLister({
      store: world.store,
      clock: systemClock,
      workspaceDir: join(world.root, "bot", "workspace"),
    });
    const got = await lister.get("romeo");
    if (!got.ok || !got.record) throw new Error("expected the project's record");
    expect(refusalReply(got.record).text).toBe(
      `**romeo**: Ralph was not started on worker \`${worker.name}\`: Ralph's script \`src/app.txt\` in the project's workspace on the server is not executable.\nNothing ran: the project stays approved. It comes from the project's repository: commit it as executable there (\`git update-index --chmod=+x src/app.txt\`, then push) so later checkouts get it right. This workspace's copy needs planbot's admin too: only they can make that file executable on the server. Once it is fixed, run it again with \`/run romeo\`.`,
    );
  });
});
