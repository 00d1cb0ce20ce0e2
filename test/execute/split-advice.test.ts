// Failures whose fix is partly the chat member's and partly planbot's operator's: a repository that cannot
// be cloned (the member can set the project's repo; only the operator can fix the server's remote or git
// credentials). A chat names the member's part with its command and says the rest needs planbot's admin,
// now and from the stored error; the CLI and the log keep everything. Real git against bare remotes, the
// real executor, `bin/planbot`.
import { describe, expect, it, type TestContext } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { projectCard } from "../../src/bot/project-card.ts";
import { cliHint } from "../../src/cli/failure-hint.ts";
import { formatRecord } from "../../src/cli/projects-output.ts";
import { notificationFor } from "../../src/notify/notification-messages.ts";
import { finalReply } from "../../src/notify/progress-text.ts";
import { planningEnv } from "../cli/planning-env.ts";
import { runPlanbot } from "../cli/planbot-process.ts";
import { createBareRemote, samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createHarness } from "./harness.ts";
import { useHarnessTemp } from "./use-harness-temp.ts";

const temp = useHarnessTemp();

/** The operator's part as the server knows it, which no chat shows. */
const SERVER_WORDS = /GIT_REMOTE_BASE|credentials|fatal:/;

const CLONE_CHAT =
  "planbot could not get the code of **shop** from its repository. If the project's repo is wrong, set it: `/edit shop --repo R`. Otherwise tell planbot's admin: only they can fix where the server fetches repositories from, or its access to them.";

describe("a repository that cannot be cloned", { timeout: 120_000 }, () => {
  it("/plan in the terminal chat offers /edit --repo and the admin for the rest; the log keeps git's error and the remote", async () => {
    const cwd = await temp.make("split-plan-");
    const { remote, env } = await planningEnv(cwd);
    const at = { cwd, env };
    expect((await runPlanbot(["projects", "propose", "shop", "A shop", "--repo", "typo"], at)).exitCode).toBe(0);

    const chat = await runPlanbot(["chat"], { ...at, input: "/plan shop\n" });
    expect(chat.stdout).toContain(
      "planbot could not get the code of shop from its repository. If the project's repo is wrong, set it: `/edit shop --repo R`. Otherwise tell planbot's admin: only they can fix where the server fetches repositories from, or its access to them. shop is pending again; `/plan shop` tries again.",
    );
    expect(chat.stdout).not.toContain(remote.base);
    expect(chat.stdout).not.toMatch(SERVER_WORDS);
    // The log (stderr) is the operator's: the remote, git's own error, and both ways to fix it.
    expect(chat.stderr).toContain(`could not clone ${remote.base}/typo`);
    expect(chat.stderr).toContain("Fix the project's repo, or GIT_REMOTE_BASE or the server's git credentials");
    expect((await runPlanbot(["projects", "show", "shop"], at)).stdout).toMatch(/^shop: pending/);
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
