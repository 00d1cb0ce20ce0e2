import { describe, expect, it } from "vitest";
import { memberList } from "../../src/adapters/http/member-list.ts";
import type { ProjectRecord } from "../../src/projects/project-list.ts";
import {
  createNotifyStack,
  createRecordingOutbound,
  putEntry,
  putPlanningSession,
  prdWith,
  writePrd,
} from "../helpers/notify-fixtures.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

describe("a successful delivery in a member's words", { timeout: 30_000 }, () => {
  it("chats read the branch that was pushed, not the server's remote; the terminal's words keep it", async () => {
    const { root, dataDir, workspaceDir, store } = await notifyDirs(temp, "delivered-");
    const remote = `${root}/remotes/todo.git`;
    await putEntry(store, { name: "todo", status: "complete", branch: "ralph/todo" });
    writePrd(workspaceDir, "todo", prdWith("todo", [true]));
    await putPlanningSession(dataDir, "todo", { adapter: "memory", channelId: "plan-chat" });
    const memory = createRecordingOutbound();
    const stack = createNotifyStack({ root, dataDir, memory });
    defer(() => stack.stop());
    await stack.start();

    await putEntry(store, {
      name: "todo",
      delivery: {
        at: new Date().toISOString(),
        ok: true,
        pushed: true,
        branch: "ralph/todo",
        summary: `pushed ralph/todo to ${remote}; no pull request: GITHUB_TOKEN is not set`,
        hint: null,
      },
    });
    await memory.waitFor((sent) => sent.filter((d) => /pushed/.test(d.reply.text)).length === 2);
    for (const chat of ["memory:ops", "memory:plan-chat"]) {
      const reply = memory.to(chat).find((d) => /pushed/.test(d.reply.text))!.reply;
      expect(reply.text).toBe("**todo**: branch `ralph/todo` pushed; no pull request was opened.");
      expect(reply.text).not.toContain(root);
      expect(reply.operatorText).toContain(remote);
      expect(reply.operatorText).toContain("no pull request:");
    }
  });

  it("the dashboard's list serves the same words as the summary", () => {
    const record = {
      slug: "todo",
      status: "complete",
      delivery: {
        at: "2026-12-03T06:00:00.000Z",
        ok: true,
        pushed: true,
        branch: "ralph/todo",
        summary: "pushed ralph/todo to /srv/git/todo.git",
        hint: null,
      },
    } as unknown as ProjectRecord;
    const served = memberList({ projects: [record], version: 1, fetchedAt: "", count: 1 }, undefined);
    expect(served.projects[0]!.delivery).toMatchObject({
      ok: true,
      summary: "branch `ralph/todo` pushed",
      what: "branch `ralph/todo` pushed",
    });
    expect(JSON.stringify(served)).not.toContain("/srv/git");
    // The stored record is not touched: the operator's view still reads git's summary.
    expect(record.delivery!.summary).toBe("pushed ralph/todo to /srv/git/todo.git");
  });
});
