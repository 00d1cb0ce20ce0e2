// A queued run that fails on the worker because the worker's workspace is a clone of another repository
// (moving that folder is the worker's operator's job): the bot stores that only the operator can fix it,
// as for a local run, so the /status card words it for a chat member while the stored error keeps the
// operator's "move it away". A real redis-server and a real `bin/planbot worker` process.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { projectCard } from "../../src/bot/project-card.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { readErrorOperator } from "../../src/projects/error-fix.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import { useQueueFixture } from "./queue-fixture.ts";

const { setUp } = useQueueFixture();

describe("a queued run whose worker workspace is a clone of another repository", { timeout: 120_000 }, () => {
  it("stores the operator's problem beside the error, and the card words it for a chat", async () => {
    const { world } = await setUp({ lockMs: 10_000 });
    await world.approve("sierra");
    const worker = await world.startWorker();
    const workspace = join(worker.workspaceDir, "sierra");
    await mkdir(workspace, { recursive: true });
    await execa("git", ["init", "--quiet", workspace]);
    await execa("git", ["-C", workspace, "remote", "add", "origin", "/srv/git/another-repository"]);

    const failed = await world.executor.runOnce({ slug: "sierra" });
    if (!failed.ok) throw new Error(failed.message);
    expect(failed.runs.map((run) => run.outcome)).toEqual(["failed"]);
    expect(failed.runs[0]!.failure?.details).toMatchObject({
      slug: "sierra",
      next: "edit",
      field: "repo",
      operator: "workspace_other_repo",
    });
    const entry = await world.entry("sierra");
    expect(entry.error).toContain("move it away or fix the project's repo");
    expect(readErrorOperator(entry)).toBe("workspace_other_repo");

    const lister = createProjectLister({
      store: world.store,
      clock: systemClock,
      workspaceDir: join(world.root, "bot", "workspace"),
    });
    const got = await lister.get("sierra");
    const record = got.ok ? got.record : undefined;
    if (!record) throw new Error("expected the project's record");
    const card = projectCard(record);
    expect(card).toContain(
      "Error: The workspace folder of **sierra** on the server holds a clone of another repository. If the project's repo is wrong, set it: `/edit sierra --repo R`.",
    );
    expect(card).not.toContain("move it away");
  });
});
