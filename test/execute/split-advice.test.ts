// Failures whose fix is partly the chat member's and partly planbot's operator's: a repository that cannot
// be cloned (the member can set the project's repo; only the operator can fix the server's remote or git
// credentials) and a Ralph script that is not executable (the member can commit it as executable in the
// project's repository; only the operator can change the workspace's copy on the server). A chat names the
// member's part with its command and says the rest needs planbot's admin, now and from the stored error;
// the CLI and the log keep everything. Real git against bare remotes, the real executor, `bin/planbot`.
import { chmod, copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { projectCard, projectLine } from "../../src/bot/project-card.ts";
import { cliHint } from "../../src/cli/failure-hint.ts";
import { formatRecord } from "../../src/cli/projects-output.ts";
import { notificationFor } from "../../src/notify/notification-messages.ts";
import { finalReply } from "../../src/notify/progress-text.ts";
import { refusalReply } from "../../src/notify/refusal-notices.ts";
import { planningEnv } from "../cli/planning-env.ts";
import { runPlanbot } from "../cli/planbot-process.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import {
  createBareRemote,
  pushRalphToRemote,
  samplePrd,
  writePlanningArtifacts,
  type RemoteFixture,
} from "../helpers/git-fixtures.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { executorCliEnv, runPlanbotChild } from "../helpers/planbot-child.ts";
import { createHarness } from "./harness.ts";
import { useHarnessTemp } from "./use-harness-temp.ts";

const temp = useHarnessTemp();

/** The operator's part as the server knows it, which no chat shows. */
const SERVER_WORDS = /GIT_REMOTE_BASE|credentials|fatal:|chmod \+x \//;

const CLONE_CHAT =
  "planbot could not get the code of **shop** from its repository. If the project's repo is wrong, set it: `/edit shop --repo R`. Otherwise tell planbot's admin: only they can fix where the server fetches repositories from, or its access to them.";

describe("a repository that cannot be cloned", { timeout: 120_000 }, () => {
  it("/plan: a member's chat offers /edit --repo and the admin for the rest; the terminal (the operator's) and the log keep git's error", async (context: TestContext) => {
    const cwd = await temp.make("split-plan-");
    const { remote, env } = await planningEnv(cwd);
    const at = { cwd, env };
    expect((await runPlanbot(["projects", "propose", "shop", "A shop", "--repo", "typo"], at)).exitCode).toBe(0);

    const terminal = await runPlanbot(["chat"], { ...at, input: "/plan shop\n" });
    expect(terminal.stdout).toContain(`could not clone ${remote.base}/typo`);
    expect(terminal.stdout).toContain("To set the repo instead: /edit shop --repo R.");
    expect(terminal.stdout.split("is pending again").length).toBe(2);
    // The log (stderr) is the operator's: the remote, git's own error, and both ways to fix it.
    expect(terminal.stderr).toContain(`could not clone ${remote.base}/typo`);
    expect(terminal.stderr).toContain("Fix the project's repo, or GIT_REMOTE_BASE or the server's git credentials");
    expect((await runPlanbot(["projects", "show", "shop"], at)).stdout).toMatch(/^shop: pending/);

    const chats = await startChatSurfaces({ root: cwd, dataDir: env.PLANBOT_DATA_DIR, env });
    context.onTestFinished(() => chats.close());
    const said = await chats.telegramSays("/plan shop", "tries again");
    expect(said).toContain(
      "planbot could not get the code of shop from its repository. If the project's repo is wrong, set it: /edit shop --repo R. Otherwise tell planbot's admin: only they can fix where the server fetches repositories from, or its access to them. shop is pending again; /plan shop tries again.",
    );
    expect(said).not.toContain(remote.base);
    expect(said).not.toMatch(SERVER_WORDS);
  });

  it("a run: the reply, the /status card, the notice and the progress ending split it; planbot projects show keeps it all", async (context: TestContext) => {
    const root = await temp.make("split-run-clone-");
    const remote = await createBareRemote(root, "app", { ralphScript: true });
    const h = await createHarness(temp, { root, gitRemoteBase: remote.base });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "shop", { prd: samplePrd("shop", 1) });
    await h.approve("shop", { repo: "typo" });

    const result = await h.executor().runNow("shop");
    if (result.ok) throw new Error("expected the run to fail");
    expect(result.details).toMatchObject({ slug: "shop", operator: "git_remote", next: "edit", field: "repo" });
    expect(result.message).toContain(`could not clone ${remote.base}/typo`);
    expect(failureReply(result).text).toBe(CLONE_CHAT);
    expect(cliHint(result)).toBe(" To set the repo: planbot projects edit shop --repo R");

    const got = await h.lister.get("shop");
    const record = got.ok ? got.record : undefined;
    if (!record) throw new Error("expected the project's record");
    expect(record).toMatchObject({ status: "failed", error_operator: "git_remote", error_fix: "repo" });
    const card = projectCard(record);
    expect(card).toContain(`Error: ${CLONE_CHAT}`);
    const notice = notificationFor(record, "approved", { workspaceDir: h.config.workspaceDir, now: new Date() });
    expect(notice?.reply.text).toContain(CLONE_CHAT);
    const ending = finalReply("shop", undefined, record, new Date()).text;
    expect(ending).toContain("finished: failed — planbot could not get the code of **shop** from its repository.");
    for (const text of [card, notice?.reply.text ?? "", ending]) {
      expect(text).not.toContain(remote.base);
      expect(text).not.toMatch(SERVER_WORDS);
    }
    const shown = formatRecord(record);
    expect(shown).toContain(`could not clone ${remote.base}/typo`);
    expect(shown).toContain("To set the repo: planbot projects edit shop --repo R");
  });
});

describe("Ralph's script committed without its executable bit", { timeout: 120_000 }, () => {
  let remote: RemoteFixture;
  beforeAll(async () => {
    remote = await createBareRemote(await temp.make("split-script-remotes-"), "app", {
      ralphScript: true,
      ralphScriptNotExecutable: true,
    });
  });

  const SCRIPT_CHAT_ADVICE =
    "It comes from the project's repository: commit it as executable there (`git update-index --chmod=+x scripts/ralph/ralph.sh`, then push) so later checkouts get it right. This workspace's copy needs planbot's admin too: only they can make that file executable on the server.";

  it("/run's reply, the /status card and the refusal notice split the fix; the CLI names both commands", async (context: TestContext) => {
    const root = await temp.make("split-script-");
    const h = await createHarness(temp, { root, gitRemoteBase: remote.base });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "shop", { prd: samplePrd("shop", 1) });
    await h.approve("shop", { repo: "app" });
    const script = join(h.config.workspaceDir, "shop", "scripts", "ralph", "ralph.sh");

    const result = await h.executor().runNow("shop");
    if (result.ok) throw new Error("expected the run to be refused");
    expect(result.details).toMatchObject({
      slug: "shop",
      check: "script_executable",
      operator: "workspace_file",
      problem: "not_executable",
      next: "commit_executable",
      path: "scripts/ralph/ralph.sh",
    });
    expect(result.message).toBe(
      `Ralph was not started: Ralph's script ${script} is not executable. Fix: chmod +x ${script} on the server, and commit it with mode 755 in the project's repository (git update-index --chmod=+x scripts/ralph/ralph.sh) so later checkouts get it right.`,
    );
    const replied = failureReply(result).text;
    expect(replied).toBe(
      `Ralph was not started: \`scripts/ralph/ralph.sh\` in the workspace of **shop** on the server is not executable. ${SCRIPT_CHAT_ADVICE} Once it is fixed, run it again with \`/run shop\`.`,
    );

    const got = await h.lister.get("shop");
    const record = got.ok ? got.record : undefined;
    if (!record?.run_refusal) throw new Error("expected the refusal to be stored");
    expect(record.status).toBe("approved");
    expect(record.run_refusal).toMatchObject({ check: "script_executable", repo_path: "scripts/ralph/ralph.sh" });
    // The card reads when as people say it: 12 minutes after the refusal, "12 min ago".
    const card = projectCard(record, { now: new Date(Date.parse(record.run_refusal.at) + 12 * 60_000) });
    expect(card).toContain(
      `Not started (12 min ago): Ralph's script \`scripts/ralph/ralph.sh\` in the project's workspace on the server is not executable. ${SCRIPT_CHAT_ADVICE}`,
    );
    const notice = refusalReply(record).text;
    expect(notice).toBe(
      `**shop**: Ralph was not started: Ralph's script \`scripts/ralph/ralph.sh\` in the project's workspace on the server is not executable.\nNothing ran: the project stays approved. ${SCRIPT_CHAT_ADVICE} Once it is fixed, run it again with \`/run shop\`.`,
    );
    for (const text of [replied, card, notice]) {
      expect(text).not.toContain(h.config.workspaceDir);
      expect(text).not.toMatch(SERVER_WORDS);
    }
    const shown = formatRecord(record);
    expect(shown).toContain(`fix: chmod +x ${script} on the server, and commit it with mode 755`);
  });

  it("planbot execute prints both parts; once the operator makes the workspace's copy executable, the run starts", async (context: TestContext) => {
    const root = await temp.make("split-script-cli-");
    const h = await createHarness(temp, { root, gitRemoteBase: remote.base });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "shop", { fakeMode: "complete" });
    await h.approve("shop", { repo: "app" });
    const env = executorCliEnv(h.config.dataDir, remote.base);
    const run = (args: string[]) => runPlanbotChild(args, root, env);
    const script = join(h.config.workspaceDir, "shop", "scripts", "ralph", "ralph.sh");

    const refused = await run(["execute", "shop"]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout).toContain(`chmod +x ${script} on the server`);
    expect(refused.stdout).toContain("git update-index --chmod=+x scripts/ralph/ralph.sh");

    // The operator's part alone is enough for this workspace: the member's commit is for later checkouts.
    await chmod(script, 0o755);
    const again = await run(["execute", "shop"]);
    expect(again.stdout).toMatch(/^shop: complete/m);
    expect(again.exitCode).toBe(0);
  });
});

describe("Ralph's script missing from the repository and from planbot's template", { timeout: 120_000 }, () => {
  const MISSING_ADVICE =
    "Add it to the project's repository: commit it at `scripts/ralph/ralph.sh` on the project's base branch and push (the next run picks it up). Or tell planbot's admin: only they can give planbot its own copy of Ralph on the server.";

  it("/run's reply, the /status card and the refusal notice name the file to add on the base branch; the operator and the CLI keep the template and RALPH_COMMAND; the member's push fixes the next run", async (context: TestContext) => {
    const root = await temp.make("split-missing-");
    const remote = await createBareRemote(root, "app", { ralphScript: false });
    const h = await createHarness(temp, { root, gitRemoteBase: remote.base });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "shop", { prd: samplePrd("shop", 1) });
    await h.approve("shop", { repo: "app" });
    const executor = h.executor();

    const result = await executor.runNow("shop");
    if (result.ok) throw new Error("expected the run to be refused");
    expect(result.details).toMatchObject({
      slug: "shop",
      check: "script_missing",
      operator: "ralph_missing",
      next: "add_file",
      path: "scripts/ralph/ralph.sh",
    });
    const template = join(h.config.dataDir, "ralph-template", "ralph.sh");
    expect(result.message).toContain(`copy them to ${template}`);
    expect(result.message).toContain("set RALPH_COMMAND");
    const replied = failureReply(result).text;
    expect(replied).toBe(
      `Ralph was not started: Ralph's script \`scripts/ralph/ralph.sh\` is missing from the workspace of **shop**. ${MISSING_ADVICE} Once it is fixed, run it again with \`/run shop\`.`,
    );
    // The terminal is the operator's chat: the server's ways to fix it, paths and all.
    const toOperator = failureReply(result, { operator: true }).text;
    expect(toOperator).toContain(template);
    expect(toOperator).toContain("/run shop");

    const got = await h.lister.get("shop");
    const record = got.ok ? got.record : undefined;
    if (!record?.run_refusal) throw new Error("expected the refusal to be stored");
    expect(record.status).toBe("approved");
    expect(record.run_refusal).toMatchObject({ check: "script_missing", repo_path: "scripts/ralph/ralph.sh" });
    // The card reads when as people say it: 12 minutes after the refusal, "12 min ago".
    const card = projectCard(record, { now: new Date(Date.parse(record.run_refusal.at) + 12 * 60_000) });
    expect(card).toContain(
      `Not started (12 min ago): Ralph's script \`scripts/ralph/ralph.sh\` is missing from the workspace of **shop**. ${MISSING_ADVICE}`,
    );
    const notice = refusalReply(record);
    expect(notice.text).toBe(
      `**shop**: Ralph was not started: Ralph's script \`scripts/ralph/ralph.sh\` is missing from the workspace of **shop**.\nNothing ran: the project stays approved. ${MISSING_ADVICE} Once it is fixed, run it again with \`/run shop\`.`,
    );
    expect(notice.operatorText).toContain(template);
    for (const text of [replied, card, notice.text]) {
      expect(text).not.toContain(h.config.dataDir);
      expect(text).not.toContain("RALPH_COMMAND");
    }
    expect(projectCard(record, { operator: true })).toContain(template);
    expect(projectLine(record)).toBe(
      "**shop** — approved — not started, needs a fix: Ralph's script `scripts/ralph/ralph.sh` is missing from the workspace of **shop** · 0/1 stories",
    );
    const shown = formatRecord(record);
    expect(shown).toContain(`copy them to ${template}`);
    expect(shown).toContain("set RALPH_COMMAND");

    // The member's part alone is enough: Ralph on the base branch reaches the refused run's branch.
    await pushRalphToRemote(remote);
    expect((await executor.runNow("shop")).ok).toBe(true);
    await executor.waitForIdle();
    expect(await h.entry("shop")).toMatchObject({ status: "complete", error: null });
  });

  it("a template without its prompt file: the reply names CLAUDE.md to add on the base branch, with /status and /run for the project", async (context: TestContext) => {
    const root = await temp.make("split-prompt-");
    const remote = await createBareRemote(root, "app", { ralphScript: false });
    const h = await createHarness(temp, { root, gitRemoteBase: remote.base });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "shop", { prd: samplePrd("shop", 1) });
    await h.approve("shop", { repo: "app" });
    await mkdir(join(h.config.dataDir, "ralph-template"), { recursive: true });
    await copyFile(fakeRalphPath, join(h.config.dataDir, "ralph-template", "ralph.sh"));

    const result = await h.executor().runNow("shop");
    if (result.ok) throw new Error("expected the run to be refused");
    expect(result.details).toMatchObject({
      slug: "shop",
      check: "prompt",
      operator: "ralph_missing",
      next: "add_file",
      path: "scripts/ralph/CLAUDE.md",
    });
    expect(result.message).toContain(`(or to ${join(h.config.dataDir, "ralph-template")}/ when the repository has no`);
    expect(failureReply(result).text).toBe(
      "Ralph was not started: Ralph's prompt file `scripts/ralph/CLAUDE.md` is missing from the workspace of **shop**. Add it to the project's repository: commit it at `scripts/ralph/CLAUDE.md` on the project's base branch and push (the next run picks it up). Or tell planbot's admin: only they can give planbot its own copy of Ralph on the server. Once it is fixed, run it again with `/run shop`.",
    );
    expect(failureReply(result).actions?.[0]?.command).toBe("/status shop");
    const got = await h.lister.get("shop");
    const record = got.ok ? got.record : undefined;
    expect(record?.run_refusal).toMatchObject({ check: "prompt", repo_path: "scripts/ralph/CLAUDE.md" });
  });
});
