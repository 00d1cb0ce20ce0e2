import { describe, expect, it } from "vitest";
import { projectCard } from "../../src/bot/project-card.ts";
import {
  createNotifyStack,
  createRecordingOutbound,
  putEntry,
  putPlanningSession,
  prdWith,
  readNotificationState,
  sleep,
  writePrd,
} from "../helpers/notify-fixtures.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const URL_1 = "https://github.com/acme/todo/pull/7";

describe("delivery notices in the chats", { timeout: 30_000 }, () => {
  it("announces the pull request once, after the completion message, in every chat of the project; a failed delivery says what to do", async () => {
    const { root, dataDir, workspaceDir, store } = await notifyDirs(temp, "notices-");
    await putEntry(store, {
      name: "todo",
      status: "running",
      pid: null,
      branch: "ralph/todo",
      started_at: new Date().toISOString(),
    });
    writePrd(workspaceDir, "todo", prdWith("todo", [false, false]));
    await putPlanningSession(dataDir, "todo", { adapter: "memory", channelId: "plan-chat" });
    const memory = createRecordingOutbound();
    const stack = createNotifyStack({ root, dataDir, memory });
    defer(() => stack.stop());
    await stack.start();

    // Ralph finished: every story passes, the run is recorded complete, then delivered.
    writePrd(workspaceDir, "todo", prdWith("todo", [true, true]));
    await putEntry(store, { name: "todo", status: "complete", finished_at: new Date().toISOString() });
    await memory.waitFor((sent) => sent.filter((d) => /is complete/.test(d.reply.text)).length === 2);
    const at = new Date().toISOString();
    await putEntry(store, {
      name: "todo",
      delivery: {
        at,
        ok: true,
        pushed: true,
        branch: "ralph/todo",
        summary: `pushed ralph/todo to https://github.com/acme/todo; draft pull request #7 opened: ${URL_1}`,
        hint: null,
      },
      pull_request: { url: URL_1, number: 7, updated_at: at },
    });
    await memory.waitFor((sent) => sent.filter((d) => /pull request/.test(d.reply.text)).length === 2);
    for (const chat of ["memory:ops", "memory:plan-chat"]) {
      const texts = memory.to(chat).map((d) => d.reply.text);
      expect(texts.findIndex((text) => /is complete/.test(text))).toBeLessThan(
        texts.findIndex((text) => text.includes(`[#7](${URL_1})`)),
      );
    }
    expect(memory.to("memory:ops").at(-1)!.reply).toMatchObject({
      tone: "success",
      text: expect.stringContaining("draft pull request [#7](https://github.com/acme/todo/pull/7) is ready for review"),
    });

    // Another change of the project does not announce the same delivery again.
    await putEntry(store, { name: "todo", description: "renamed" });
    await sleep(400);
    await stack.notifier.flush();
    expect(memory.sent.filter((d) => /#7/.test(d.reply.text))).toHaveLength(2);
    expect(
      (readNotificationState(dataDir) as unknown as { last_delivery: Record<string, string> }).last_delivery,
    ).toEqual({ todo: at });

    // A later delivery that failed: its own message, with what to do.
    const later = new Date(Date.now() + 1000).toISOString();
    await putEntry(store, {
      name: "todo",
      delivery: {
        at: later,
        ok: false,
        pushed: true,
        branch: "ralph/todo",
        summary:
          "pushed ralph/todo to https://github.com/acme/todo, but no pull request: GitHub answered 401 for acme/todo: Bad credentials",
        hint: "GITHUB_TOKEN was refused: set a valid token (with pull-request write access) and run the project again.",
      },
    });
    await memory.waitFor((sent) => sent.filter((d) => /could not be fully delivered/.test(d.reply.text)).length === 2);
    const failure = memory.to("memory:plan-chat").find((d) => /could not be fully delivered/.test(d.reply.text))!;
    // Stored as an older planbot stored it (no split): members read GitHub's refusal in plain words and whom
    // to tell, the terminal (operatorText) the token advice.
    expect(failure.reply).toMatchObject({
      tone: "error",
      text: expect.stringContaining(
        "What to do: Please tell planbot's admin: only they can fix planbot's access to GitHub.",
      ),
      operatorText: expect.stringContaining("What to do: GITHUB\\_TOKEN was refused"),
    });

    // /status todo shows the pull request and the failed delivery.
    const got = await stack.runtime.core.lister.get("todo");
    const card = projectCard(got.ok ? got.record! : (undefined as never));
    expect(card).toContain(`Pull request: [#7](${URL_1})`);
    expect(card).toContain("Delivery: branch `ralph/todo` is pushed, but GitHub did not accept planbot's access");
    expect(projectCard(got.ok ? got.record! : (undefined as never), { operator: true })).toContain(
      "Delivery: pushed ralph/todo",
    );
  });
});
