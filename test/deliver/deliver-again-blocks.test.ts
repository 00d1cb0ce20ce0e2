// A failed delivery announced by the real notifier (real store, watcher and outbox) to a planbot whose settings
// keep `/deliver` from working: PUSH_ON=never, and PUSH_ON=complete for a failed run. The notice carries no
// "Deliver again" button and says what must change — whom to tell for a chat member, the setting for the
// terminal — and the `/status` card and `/deliver`'s answer say the same. With settings under which it can
// work, the button is there.
import { describe, expect, it } from "vitest";
import { deliverRefusalReply } from "../../src/bot/deliver-refusal.ts";
import { projectActions, projectCard } from "../../src/bot/project-card.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { createNotifyStack, createRecordingOutbound, prdWith, putEntry, writePrd } from "../helpers/notify-fixtures.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";
import { refusedPush } from "../helpers/refused-push.ts";

const { temp, defer } = useCleanups();

/** A notify stack over `env`, with `todo` finished as `status`; resolves with the delivery notice it then sends. */
async function noticeUnder(env: Record<string, string>, status: string) {
  const { root, dataDir, workspaceDir, store } = await notifyDirs(temp, "blocks-");
  await putEntry(store, { name: "todo", status, branch: "ralph/todo" });
  writePrd(workspaceDir, "todo", prdWith("todo", [true, status === "complete"]));
  const memory = createRecordingOutbound();
  const stack = createNotifyStack({ root, dataDir, memory, env });
  defer(() => stack.stop());
  await stack.start();
  await putEntry(store, { name: "todo", delivery: refusedPush(new Date().toISOString()) });
  await memory.waitFor((sent) => sent.some((d) => /could not be fully delivered/.test(d.reply.text)));
  const notice = memory.sent.find((d) => /could not be fully delivered/.test(d.reply.text))!.reply;
  const got = await stack.runtime.core.lister.get("todo");
  if (!got.ok || !got.record) throw new Error("expected the record of todo");
  const setup = stack.runtime.services.delivery?.setup();
  const refused = await stack.runtime.services.delivery!.deliverAgain("todo");
  return { notice, record: got.record, setup, refused };
}

describe("Deliver again where planbot's settings refuse it", { timeout: 30_000 }, () => {
  it("PUSH_ON=never: no button; a member reads whom to tell, the terminal the setting", async () => {
    const { notice, record, setup, refused } = await noticeUnder(
      { PUSH_ON: "never", GIT_REMOTE_BASE: "https://github.com/acme" },
      "complete",
    );
    const member =
      "planbot is set not to push finished work now, so it cannot be delivered again. Please tell planbot's admin: only they can turn pushing back on.";
    expect(notice.text).toContain(`\n${member}`);
    expect(notice.text).not.toContain("PUSH_ON");
    expect(notice.operatorText).toContain(
      "It cannot be delivered again while `PUSH_ON` is never (or unset): set `PUSH_ON=complete` (or any) and restart planbot, then `/deliver todo`.",
    );
    expect(notice.actions?.map((action) => action.command)).toEqual(["/status todo"]);
    expect(projectActions(record, setup).map((action) => action.command)).not.toContain("/deliver todo");
    expect(projectCard(record, { deliverySetup: setup })).toContain(member);
    // Approved for a new run since: the old delivery is history, and nothing is left to deliver or to change.
    expect(projectCard({ ...record, status: "approved" }, { deliverySetup: setup })).not.toContain(
      "cannot be delivered again",
    );
    expect(refused).toMatchObject({ ok: false, code: "not_available", details: { reason: "push_off" } });
    if (refused.ok) throw new Error("expected a refusal");
    expect(deliverRefusalReply(refused, false)?.text).toBe(`**todo**: ${member}`);
  });

  it("PUSH_ON=complete and a failed run: no button; run it again, or the admin delivers every finished run", async () => {
    const { notice, record, setup, refused } = await noticeUnder(
      { PUSH_ON: "complete", GIT_REMOTE_BASE: "https://github.com/acme" },
      "failed",
    );
    const member =
      "planbot now delivers only the work of complete runs, and this run is failed, so it cannot be delivered again: run it again (`/run todo`), or tell planbot's admin, who can set planbot to deliver every finished run.";
    expect(notice.text).toContain(member);
    expect(notice.operatorText).toContain("Set `PUSH_ON=any` and restart planbot to deliver it");
    expect(notice.actions?.map((action) => action.command)).toEqual(["/status todo"]);
    expect(projectActions(record, setup).map((action) => action.command)).not.toContain("/deliver todo");
    if (refused.ok) throw new Error("expected a refusal");
    const reply = deliverRefusalReply(refused, false);
    expect(reply?.text).toBe(`**todo**: ${member}`);
    expect(reply?.actions?.map((action) => action.command)).toEqual(["/run todo", "/status todo"]);
  });

  it("PUSH_ON=any with a remote: the button is there and nothing more is said", async () => {
    const { notice, record, setup } = await noticeUnder(
      { PUSH_ON: "any", GIT_REMOTE_BASE: "https://github.com/acme" },
      "failed",
    );
    expect(notice.actions?.map((action) => action.command)).toEqual(["/deliver todo", "/status todo"]);
    expect(notice.text).not.toContain("cannot be delivered again");
    expect(projectActions(record, setup).map((action) => action.command)).toContain("/deliver todo");
  });
});
