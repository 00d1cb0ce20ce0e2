/**
 * Stopping one run (executor.stopRun): the real executor with the fake ralph.sh in "hang" mode in a clone of
 * a bare remote. The process group is gone afterwards, the outcome is recorded once with the reason first in
 * its error — also for a run an earlier executor (an earlier planbot) launched.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it, type TestContext } from "vitest";
import { procProbe } from "../../src/projects/process-probe.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { groupAlive, samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import type { Harness } from "../execute/harness.ts";
import { executorCliEnv, runPlanbotChild } from "../helpers/planbot-child.ts";
import { useRalphRemote } from "../helpers/ralph-remote.ts";

const files = useRalphRemote("stop-run-");
const world = (context: TestContext): Promise<Harness> => files.harness(context);

/** An approved project whose Ralph passes story 1 of 2 and then hangs (a `sleep` in its group). */
async function hangingRun(h: Harness, slug: string, run: (slug: string) => Promise<unknown>): Promise<number> {
  await writePlanningArtifacts(h.config.workspaceDir, slug, { prd: samplePrd(slug, 2), fakeMode: "hang" });
  await h.approve(slug, { repo: "app" });
  await run(slug);
  const pid = (await h.entry(slug)).pid!;
  // The hang line reaches Ralph's output log through the log writer, after the story's commit: wait for it
  // there, so what the stop records as Ralph's last lines has it even on a loaded machine.
  const logs = workspacePaths(h.config.workspaceDir, slug).logs;
  await waitUntil(`${slug} to hang after its first story`, async () => {
    const names = existsSync(logs) ? await readdir(logs) : [];
    const texts = await Promise.all(names.map((name) => readFile(join(logs, name), "utf8").catch(() => "")));
    return texts.some((text) => text.includes("hanging (fake mode hang)"));
  });
  expect(groupAlive(pid)).toBe(true);
  return pid;
}

describe("stopping one run", () => {
  it("stopRun kills the group of a run this executor launched; two calls stop it once, the error names the reason", async (context) => {
    const h = await world(context);
    const executor = h.executor();
    const pid = await hangingRun(h, "todo", (slug) => executor.runNow(slug));

    const [first, second] = await Promise.all([
      executor.stopRun!("todo", "cancelled"),
      executor.stopRun!("todo", "cancelled"),
    ]);
    expect(first).toEqual({ ok: true, stopped: true });
    expect(second).toEqual({ ok: true, stopped: true });
    await waitUntil("Ralph's group to be gone", () => !groupAlive(pid), 5000);
    const entry = await h.entry("todo");
    expect(entry).toMatchObject({ status: "failed", pid: null });
    expect(entry.error).toMatch(/^stopped: cancelled; killed by SIGTERM\n--- last lines of Ralph's output ---\n/);
    expect(h.finished.filter((report) => report.slug === "todo").map((report) => report.outcome)).toEqual(["failed"]);
    expect(existsSync(workspacePaths(h.config.workspaceDir, "todo").pidFile)).toBe(false);

    // Nothing runs any more: a further stop says so.
    expect(await executor.stopRun!("todo", "cancelled")).toEqual({ ok: true, stopped: false });
    expect(await executor.stopRun!("nope", "cancelled")).toMatchObject({ ok: false, code: "not_found" });
    expect(await executor.stopRun!("../x", "cancelled")).toMatchObject({ ok: false, code: "invalid_slug" });
  });

  it("a project cancelled while it runs stays cancelled once Ralph is stopped", async (context) => {
    const h = await world(context);
    const executor = h.executor();
    const pid = await hangingRun(h, "todo", (slug) => executor.runNow(slug));
    expect((await h.lifecycle.cancel("todo")).ok).toBe(true);
    expect(await executor.stopRun!("todo", "cancelled")).toEqual({ ok: true, stopped: true });
    expect(groupAlive(pid)).toBe(false);
    expect(await h.entry("todo")).toMatchObject({
      status: "cancelled",
      pid: null,
      error: expect.stringMatching(/^stopped: cancelled;/),
    });
  });

  it("a run launched by an earlier executor (planbot restarted) is stopped through its stored PID and recorded once", async (context) => {
    const h = await world(context);
    const first = h.executor();
    const pid = await hangingRun(h, "todo", (slug) => first.runNow(slug));
    await first.close(); // what a restarted planbot leaves behind: nobody watches this Ralph

    const second = h.executor({ maxMinutes: 7 });
    const [stopped, reconciled] = await Promise.all([
      second.stopRun!("todo", "time_limit"),
      // Reconciling at the same moment must not record the run a second time (without the reason).
      waitUntil("the group to go", () => !groupAlive(pid), 5000).then(() => second.reconcileFinishedRuns()),
    ]);
    expect(stopped).toEqual({ ok: true, stopped: true });
    expect(reconciled).toEqual({ ok: true, recorded: [] });
    const entry = await h.entry("todo");
    expect(entry).toMatchObject({ status: "failed", pid: null });
    expect(entry.error).toMatch(/^stopped after RALPH_MAX_MINUTES=7 minutes; killed by SIGTERM/);
    expect(entry.error).toContain("iteration 1: hanging");
    expect(h.finished.map((report) => `${report.slug}:${report.outcome}`)).toEqual(["todo:failed"]);
    expect(await second.reconcileFinishedRuns()).toEqual({ ok: true, recorded: [] });
  });

  it("a stop that kills an unwatched run while reconciling is busy elsewhere keeps its reason", async (context) => {
    const h = await world(context);
    // "gone" comes first in the list: an unwatched run that already ended, so reconciling records it and
    // awaits its delivery before it looks at "todo".
    await h.approve("gone", { repo: "app" });
    const first = h.executor();
    const pid = await hangingRun(h, "todo", (slug) => first.runNow(slug));
    await first.close();
    const dead = execa("true");
    await dead;
    await h.lifecycle.update("gone", (entry) => {
      entry.pid = dead.pid!;
      entry.status = "running";
    });

    let stopping: Promise<unknown> | undefined;
    const second = h.executor({
      maxMinutes: 7,
      // While "gone" is being delivered, a time-limit stop kills "todo"'s Ralph; reconciling reaches "todo"
      // once that group is gone and before the stop has recorded it.
      afterRecorded: async (_ctx, report) => {
        if (report.slug !== "gone") return;
        stopping = second.stopRun!("todo", "time_limit");
        // Looked at as often as the stop looks (every 50 ms) would lose to it; the probe both use, every 2 ms.
        while (procProbe.inspect(pid).alive) await new Promise((resolve) => setTimeout(resolve, 2));
      },
    });
    const reconciled = await second.reconcileFinishedRuns();
    expect(reconciled.ok && reconciled.recorded.map((report) => report.slug)).toEqual(["gone"]);
    expect(await stopping).toEqual({ ok: true, stopped: true });
    const entry = await h.entry("todo");
    expect(entry).toMatchObject({ status: "failed", pid: null });
    expect(entry.error).toMatch(/^stopped after RALPH_MAX_MINUTES=7 minutes; killed by SIGTERM/);
    expect(h.finished.map((report) => `${report.slug}:${report.outcome}`).sort()).toEqual([
      "gone:failed",
      "todo:failed",
    ]);
  });

  it("a stored PID that is not a Ralph process is left alone, with a message saying so", async (context) => {
    const h = await world(context);
    await h.approve("todo", { repo: "app" });
    const other = execa("sleep", ["30"], { detached: true, reject: false });
    context.onTestFinished(() => void other.kill("SIGKILL"));
    await h.lifecycle.update("todo", (entry) => {
      entry.pid = other.pid!;
      entry.status = "running";
    });
    const stopped = await h.executor().stopRun!("todo", "cancelled");
    expect(stopped).toMatchObject({ ok: false, code: "invalid_state" });
    expect(stopped.ok ? "" : stopped.message).toMatch(/is not a Ralph process .*left alone/);
    expect(groupAlive(other.pid!)).toBe(true);
    expect(await h.entry("todo")).toMatchObject({ status: "running", pid: other.pid });
  });

  it("a stored Ralph caught with an empty command line (mid-exec) is looked at again and stopped", async (context) => {
    const h = await world(context);
    await h.approve("todo", { repo: "app" });
    // perl blanks its command line, as a process between fork and exec shows none, says its PID, and names
    // ralph.sh only when told to on stdin.
    const ralph = execa(
      "perl",
      ["-e", '$|=1; $0=""; print "$$\\n"; <STDIN>; $0="bash scripts/ralph/ralph.sh"; sleep 30'],
      { detached: true, reject: false },
    );
    context.onTestFinished(() => void ralph.kill("SIGKILL"));
    const pid = ralph.pid!;
    await new Promise<void>((resolve) => ralph.stdout!.once("data", () => resolve()));
    expect((await readFile(`/proc/${pid}/cmdline`, "utf8")).replace(/\0/g, "")).toBe("");
    await h.lifecycle.update("todo", (entry) => {
      entry.pid = pid;
      entry.status = "running";
    });

    const stopping = h.executor().stopRun!("todo", "cancelled");
    // The stop finds the command line empty and looks again; meanwhile the "exec" completes.
    setTimeout(() => ralph.stdin!.write("exec\n"), 150);
    const stopped = await stopping;
    expect(stopped).toEqual({ ok: true, stopped: true });
    await waitUntil("the blanked Ralph to be gone", () => !groupAlive(pid), 5000);
    expect(await h.entry("todo")).toMatchObject({
      status: "failed",
      pid: null,
      error: expect.stringMatching(/^stopped: cancelled; killed by SIGTERM/),
    });
  });

  it("planbot execute enforces RALPH_MAX_MINUTES on the runs it waits for (no planbot start needed)", async (context) => {
    const h = await world(context);
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2), fakeMode: "hang" });
    await h.approve("todo", { repo: "app" });
    const env = executorCliEnv(h.config.dataDir, files.remote().base, { RALPH_MAX_MINUTES: "0.05" });
    const result = await runPlanbotChild(["execute", "todo"], h.root, env);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^todo: failed \(1\/2 stories; stopped after RALPH_MAX_MINUTES=0\.05 minutes\)/);
    const entry = await h.entry("todo");
    expect(entry).toMatchObject({ status: "failed", pid: null });
    expect(entry.error).toMatch(/^stopped after RALPH_MAX_MINUTES=0\.05 minutes; killed by SIGTERM/);
  });
});
