// A run whose base branch does not exist on the remote: the failure names the way to set the base on each
// surface (`/edit` in a chat, `planbot projects edit` in a terminal), and once it is set the same project
// runs to completion — no cancel, no new proposal. Real git against a bare remote, the fake ralph.sh.
import { describe, expect, it, type TestContext } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { projectCard } from "../../src/bot/project-card.ts";
import { cliHint } from "../../src/cli/failure-hint.ts";
import { formatRecord } from "../../src/cli/projects-output.ts";
import { notificationFor } from "../../src/notify/notification-messages.ts";
import { samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { executorCliEnv, runPlanbotChild } from "../helpers/planbot-child.ts";
import { useRalphRemote } from "../helpers/ralph-remote.ts";

const files = useRalphRemote("edit-hint-");

async function world(context: TestContext, fakeMode?: "complete") {
  const h = await files.harness(context);
  await writePlanningArtifacts(h.config.workspaceDir, "shop", fakeMode ? { fakeMode } : { prd: samplePrd("shop", 1) });
  await h.approve("shop", { repo: "app", base: "nosuch" });
  const env = executorCliEnv(h.config.dataDir, files.remote().base);
  const run = (args: string[]) => runPlanbotChild(args, h.root, env);
  return { h, run };
}

describe("a missing base branch names /edit and planbot projects edit", { timeout: 120_000 }, () => {
  it("/run's failure carries the field, and each surface words the way to set it", async (context) => {
    const { h } = await world(context);
    const executor = h.executor();
    const result = await executor.runNow("shop");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details).toMatchObject({ slug: "shop", next: "edit", field: "base" });
    expect(result.message).toContain('base branch "nosuch" does not exist on');
    expect(failureReply(result).text).toMatch(
      /push it or set the project's base\. To set the base: `\/edit shop --base M`\.$/,
    );
    expect(cliHint(result)).toBe(" To set the base: planbot projects edit shop --base M");
    expect(await h.status("shop")).toBe("failed");

    // Later, from the stored error: the /status card, the failure notice and `planbot projects show`.
    const got = await h.lister.get("shop");
    const record = got.ok ? got.record : undefined;
    expect(record?.error_fix).toBe("base");
    expect(projectCard(record!)).toContain(
      "push it or set the project's base. To set the base: `/edit shop --base M`.",
    );
    const notice = notificationFor(record!, "approved", { workspaceDir: h.config.workspaceDir, now: new Date() });
    expect(notice?.reply.text).toMatch(/^\*\*shop\*\* failed: .*To set the base: `\/edit shop --base M`\./);
    // The stored error ends with a period; the notice's sentence ends once.
    expect(notice?.reply.text).toContain("set the project's base. To set the base");
    expect(formatRecord(record!)).toContain("To set the base: planbot projects edit shop --base M");

    // Another error later (stored by another tool here) makes the fix stale: it is not shown for it.
    await h.lifecycle.update("shop", (entry) => {
      entry.error = "ralph exited 1";
    });
    const after = await h.lister.get("shop");
    expect(after.ok && after.record?.error_fix).toBeNull();
  });

  it("planbot execute prints the CLI's way, and after planbot projects edit the project runs", async (context) => {
    const { h, run } = await world(context, "complete");
    const failed = await run(["execute", "shop"]);
    expect(failed.exitCode).toBe(1);
    const shown = await run(["projects", "show", "shop"]);
    expect(shown.stdout).toContain("To set the base: planbot projects edit shop --base M");
    expect(failed.stdout).toContain(
      "push it or set the project's base. To set the base: planbot projects edit shop --base M",
    );

    const edited = await run(["projects", "edit", "shop", "--base", "main"]);
    expect(edited.exitCode).toBe(0);
    expect(edited.stdout).toContain('base: "nosuch" → "main"');
    expect((await run(["projects", "approve", "shop"])).exitCode).toBe(0);
    const again = await run(["execute", "shop"]);
    expect(again.stdout).toMatch(/^shop: complete/m);
    expect(again.exitCode).toBe(0);
    expect((await h.entry("shop")).base_branch).toBe("main");
  });
});
