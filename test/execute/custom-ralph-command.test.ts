// An operator who sets RALPH_COMMAND to a script of their own hears about that script when a run is refused:
// chats name it inside the project's workspace (in the /run reply, and in the /status card and overview line
// long after), the terminal and the CLI by its place on the server, with a fix that names it and its
// template — not snarktank/ralph's `ralph.sh` or `$PLANBOT_DATA_DIR/ralph-template/` when those are not what
// runs. The real Telegram and Discord adapters against their fakes and the real terminal adapter on one
// runtime, the real executor, `bin/planbot` on the same data folder.
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it, type TestContext } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { createProgressSampler } from "../../src/execute/progress-sampler.ts";
import type { RunProgress } from "../../src/execute/run-progress.ts";
import { silentLogger } from "../../src/log.ts";
import { procProbe } from "../../src/projects/process-probe.ts";
import { runPlanbot } from "../cli/planbot-process.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { baseEnv } from "../helpers/planbot-child.ts";
import { onPseudoTerminal } from "../helpers/pseudo-terminal.ts";
import { groupAlive, samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createHarness } from "./harness.ts";
import { useHarnessTemp } from "./use-harness-temp.ts";

const temp = useHarnessTemp();

/** An approved, planned project `shop` in a fresh folder `root` whose RALPH_COMMAND is `commandIn(root)`. */
async function approvedShop(commandIn: (root: string) => string) {
  const root = await temp.make("custom-ralph-");
  const command = commandIn(root);
  const h = await createHarness(temp, { root, ralphCommand: command });
  await writePlanningArtifacts(h.config.workspaceDir, "shop", { prd: samplePrd("shop", 1) });
  await h.approve("shop");
  // Running as root in a container, as the tests may: Ralph's preflight would refuse for that first.
  const env = { RALPH_COMMAND: command, IS_SANDBOX: "1" };
  return { root, h, env };
}

/** Telegram, Discord and the terminal chatting with the shop's planbot, closed when the test finishes. */
async function chatsOf(
  { root, h, env }: Awaited<ReturnType<typeof approvedShop>>,
  context: TestContext,
): Promise<Awaited<ReturnType<typeof startChatSurfaces>>> {
  const chats = await startChatSurfaces({
    root,
    dataDir: h.config.dataDir,
    env,
    overrides: { env: { ...process.env, ...env } },
  });
  context.onTestFinished(() => chats.close());
  return chats;
}

describe("a RALPH_COMMAND of the operator's own", { timeout: 120_000 }, () => {
  it("a missing script: chats name it in the workspace on every surface, the terminal and the CLI on the server with its template", async (context: TestContext) => {
    const { root, h, env } = await approvedShop(() => "tools/loop/agent.sh 5");
    const chats = await chatsOf({ root, h, env }, context);
    const template = join(h.config.dataDir, "ralph-template", "agent.sh");
    const workspace = join(h.config.workspaceDir, "shop");

    const replied = await chats.telegramSays("/run shop", "Ralph was not started");
    expect(replied).toContain("Ralph's script tools/loop/agent.sh is missing from the workspace of shop.");
    // Long after the reply, the card and the overview line still name the script RALPH_COMMAND runs.
    expect(await chats.telegramSays("/status shop", "Not started")).toContain(
      "Ralph's script tools/loop/agent.sh is missing from the workspace of shop.",
    );
    expect(await chats.discordSays("/status", "not started")).toContain(
      "not started, needs a fix: Ralph's script `tools/loop/agent.sh` is missing from the workspace of **shop**",
    );

    // The operator reads the server's side: the workspace, the template planbot looked for, this script's name.
    const card = await chats.terminal.type("/status shop", "Not started");
    expect(card).toContain(`Ralph's script tools/loop/agent.sh is not in the workspace ${workspace}.`);
    expect(card).toContain(
      `Add the script agent.sh to the repository's base branch at tools/loop/agent.sh, or copy it to ${template}, or set RALPH_COMMAND to the absolute path of the script on the server`,
    );
    expect(card).not.toContain("ralph.sh");

    const cli = await runPlanbot(["execute", "shop"], {
      cwd: root,
      env: { PLANBOT_DATA_DIR: h.config.dataDir, ...env },
    });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stdout).toContain(`copy it to ${template}`);
    expect(cli.stdout).not.toContain("ralph.sh");
  });

  it("an absolute RALPH_COMMAND whose file is missing: the operator reads that the setting names a missing file", async () => {
    const { root, h } = await approvedShop((folder) => `${join(folder, "srv", "ralph", "ralph.sh")} --tool claude 10`);
    const configured = join(root, "srv", "ralph", "ralph.sh");
    const result = await h.executor().runNow("shop");
    if (result.ok) throw new Error("expected the run to be refused");
    expect(result.details).toMatchObject({ check: "script_missing", path: "scripts/ralph/ralph.sh" });
    const toOperator = failureReply(result, { operator: true }).text;
    expect(toOperator).toContain(
      `RALPH_COMMAND names ${configured}, which is not on the server either (it is copied into each workspace that lacks scripts/ralph/ralph.sh). Put snarktank/ralph's ralph.sh (with its prompt.md/CLAUDE.md) at ${configured}`,
    );
    expect(toOperator).not.toContain("set RALPH_COMMAND");
    // A chat member reads the file inside the workspace and to tell the admin: no server path.
    const toMember = failureReply(result).text;
    expect(toMember).toContain("Ralph's script `scripts/ralph/ralph.sh` is missing from the workspace of **shop**.");
    expect(toMember).not.toContain(root);
  });

  it("a ralph.sh elsewhere without its prompt file: the fix names that script and the template folder on the server", async (context: TestContext) => {
    const { root, h, env } = await approvedShop(() => "tools/ralph.sh --tool claude 5");
    const templateDir = join(h.config.dataDir, "ralph-template");
    await mkdir(templateDir, { recursive: true });
    await copyFile(fakeRalphPath, join(templateDir, "ralph.sh"));
    const chats = await chatsOf({ root, h, env }, context);
    const prompt = join(h.config.workspaceDir, "shop", "tools", "CLAUDE.md");

    const toOperator = await chats.terminal.type("/run shop", "Ralph was not started");
    expect(toOperator).toContain(
      `${prompt} is missing: tools/ralph.sh --tool claude feeds it to the agent on every iteration. Fix: add snarktank/ralph's CLAUDE.md next to tools/ralph.sh in the repository (or to ${templateDir}/ when the repository has no tools/ralph.sh)`,
    );
    expect(toOperator).not.toContain("$PLANBOT_DATA_DIR");
    expect(await chats.telegramSays("/status shop", "Not started")).toContain(
      "Ralph's prompt file tools/CLAUDE.md is missing from the workspace of shop.",
    );
  });

  it("a script of its own that is not executable: chats name it in the workspace, the terminal by its path with chmod", async (context: TestContext) => {
    const { root, h, env } = await approvedShop(() => "tools/loop/agent.sh 5");
    const script = join(h.config.workspaceDir, "shop", "tools", "loop", "agent.sh");
    await mkdir(join(h.config.workspaceDir, "shop", "tools", "loop"), { recursive: true });
    await copyFile(fakeRalphPath, script);
    await chmod(script, 0o644);
    const chats = await chatsOf({ root, h, env }, context);

    expect(await chats.terminal.type("/run shop", "Ralph was not started")).toContain(
      `Ralph's script ${script} is not executable. Fix: chmod +x ${script} on the server.`,
    );
    const card = await chats.telegramSays("/status shop", "Not started");
    expect(card).toContain(
      "Ralph's script tools/loop/agent.sh in the project's workspace on the server is not executable.",
    );
    expect(card).not.toContain(root);
  });
});

/**
 * A loop of the operator's own, as RALPH_COMMAND=`tools/loop/agent.sh 5` runs it: it announces its iteration
 * the way snarktank/ralph does and then works (a `sleep` child) until it is stopped.
 */
const OWN_LOOP = '#!/bin/sh\necho "Ralph Iteration 1 of $1 (agent)"\nsleep 600\n';

/** `shop` running `tools/loop/agent.sh 5` (copied in from planbot's template folder), its PID once it has begun. */
async function runningOwnLoop() {
  const { h } = await approvedShop(() => "tools/loop/agent.sh 5");
  const templateDir = join(h.config.dataDir, "ralph-template");
  await mkdir(templateDir, { recursive: true });
  await writeFile(join(templateDir, "agent.sh"), OWN_LOOP, { mode: 0o755 });
  const executor = h.executor();
  const started = await executor.runNow("shop");
  if (!started.ok) throw new Error(started.message);
  const pid = (await h.entry("shop")).pid!;
  await waitUntil("the loop to run its script", () => procProbe.inspect(pid).commandLine.includes("agent.sh 5"));
  return { h, executor, pid };
}

describe("a running RALPH_COMMAND of the operator's own is Ralph", { timeout: 60_000 }, () => {
  it("shows as running-ralph, not as a program someone started by hand", async () => {
    const { h, pid } = await runningOwnLoop();
    expect(procProbe.inspect(pid).commandLine).toContain("tools/loop/agent.sh 5");
    expect(await h.status("shop")).toBe("running-ralph");
    const got = await h.lister.get("shop");
    expect(got.ok && got.record?.eta_seconds).toBe(12 * 60);
  });

  it("its progress is sampled: the story it works on and the iteration it announced", async () => {
    const { h } = await runningOwnLoop();
    const heard: RunProgress[] = [];
    const sampler = createProgressSampler({
      store: h.store,
      probe: procProbe,
      ralphCommand: h.config.execute.ralphCommand,
      workspaceDir: h.config.workspaceDir,
      log: silentLogger,
      intervalMs: 60_000,
      listener: (progress) => heard.push(progress),
    });
    await waitUntil("the iteration line in the run's log", async () => {
      const [progress] = await sampler.sample();
      return progress?.iteration === 1;
    });
    expect(heard.at(-1)).toMatchObject({
      slug: "shop",
      storiesDone: 0,
      storiesTotal: 1,
      currentStory: { id: "US-1" },
      iteration: 1,
      maxIterations: 5,
    });
    await sampler.stop();
  });

  it("a later planbot process stops the run an earlier one started, and records it", async () => {
    const { h, executor, pid } = await runningOwnLoop();
    await executor.close(); // what a restarted planbot leaves behind: nobody watches this run any more
    const stopped = await h.executor().stopRun?.("shop", "cancelled");
    expect(stopped).toEqual({ ok: true, stopped: true });
    expect(groupAlive(pid)).toBe(false);
    expect(await h.entry("shop")).toMatchObject({
      status: "failed",
      pid: null,
      error: expect.stringMatching(/^stopped: cancelled/),
    });
  });
});

describe("a run refused for a missing script of the operator's own", { timeout: 120_000 }, () => {
  it("has no ETA: the project cannot start until someone adds the script", async () => {
    const { h } = await approvedShop(() => "tools/loop/agent.sh 5");
    const before = await h.lister.get("shop");
    expect(before.ok && before.record?.eta_seconds).toBe(12 * 60);
    const result = await h.executor().runNow("shop");
    expect(result).toMatchObject({ ok: false, details: { check: "script_missing" } });
    const after = await h.lister.get("shop");
    if (!after.ok || !after.record) throw new Error("no record of shop");
    expect(after.record).toMatchObject({ status: "approved", run_refusal: { check: "script_missing" } });
    expect(after.record.eta_seconds).toBeNull();
  });

  it("a standalone planbot chat in a terminal says the refusal once, and its /status card promises no finish", async (context: TestContext) => {
    const { root, h, env } = await approvedShop(() => "tools/loop/agent.sh 5");
    // On a pseudo-terminal (util-linux's `script`), as a person runs it: stdout and stderr share the screen.
    const child = execa("script", onPseudoTerminal("chat"), {
      cwd: root,
      env: { ...baseEnv, ...env, PLANBOT_DATA_DIR: h.config.dataDir, TERM: "dumb" },
      extendEnv: false,
      reject: false,
      timeout: 90_000,
      stdin: "pipe",
    });
    context.onTestFinished(async () => {
      child.kill("SIGKILL");
      await child.catch(() => undefined);
    });
    let screen = "";
    child.stdout!.on("data", (chunk: Buffer) => (screen += chunk.toString("utf8")));
    /** Types `line` and returns what the screen shows from then until `until` and the next prompt. */
    const type = async (line: string, until: string) => {
      const from = screen.length;
      child.stdin!.write(`${line}\r`);
      await waitUntil(
        `"${until}" after ${line}`,
        () => {
          const shown = screen.slice(from);
          const at = shown.indexOf(until);
          return at >= 0 && shown.indexOf("planbot> ", at) >= 0;
        },
        60_000,
      );
      return screen.slice(from);
    };
    await waitUntil("the chat's prompt", () => screen.includes("planbot> "), 60_000);

    const reply = await type("/run shop", "shows where things stand");
    expect(reply.split("is not in the workspace").length - 1, reply).toBe(1);
    expect(reply).not.toContain("script_missing");
    const card = await type("/status shop", "Not started");
    expect(card).toContain("Stories: 0/1 done");
    expect(card).not.toContain("min left");
  });
});
