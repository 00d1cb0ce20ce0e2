/**
 * The notification latency rests on the change watcher's file events: a prd.json written in a
 * project's scripts/ralph must be noticed in well under a second, not at the 30 s safety rescan — also
 * when that folder appeared after the project folder, or the project folder was replaced.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createNotifyStack,
  createRecordingOutbound,
  prdWith,
  putEntry,
  readNotificationState,
  sleep,
  statuses,
  waitUntil,
  writePrd,
} from "../helpers/notify-fixtures.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

/** Time for the watcher to take a file event in (debounce 30 ms + a recomputation), with room for a loaded machine. */
const SETTLE_MS = 300;
/** Far below the 30 s rescan: only a file event gets there in time. */
const NOTICE_MS = 3000;

async function running(entries: Array<{ name: string; status: string }> = [{ name: "alpha", status: "running" }]) {
  const { root, dataDir, workspaceDir, store } = await notifyDirs(temp, "notify-watch-");
  for (const entry of entries) await putEntry(store, entry);
  const memory = createRecordingOutbound();
  const stack = createNotifyStack({ root, dataDir, memory });
  defer(() => stack.stop());
  return { root, dataDir, workspaceDir, store, memory, stack };
}

describe("change watcher → notification, by file events", () => {
  it("a new workspace with its prd.json is noticed at once", async () => {
    const setup = await running();
    await setup.stack.start();
    expect(statuses(setup.stack.runtime)).toEqual({ alpha: "idle" });
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await setup.memory.waitFor((sent) => sent.some((delivery) => /is complete/.test(delivery.reply.text)), NOTICE_MS);
    expect(statuses(setup.stack.runtime)).toEqual({ alpha: "complete" });
  });

  it("scripts/ralph created after the project folder (clone, then checkout): a later prd.json is still noticed by its file event", async () => {
    const setup = await running();
    await setup.stack.start();
    mkdirSync(join(setup.workspaceDir, "alpha"));
    await sleep(SETTLE_MS);
    mkdirSync(join(setup.workspaceDir, "alpha", "scripts"));
    await sleep(SETTLE_MS);
    mkdirSync(join(setup.workspaceDir, "alpha", "scripts", "ralph"));
    await sleep(SETTLE_MS);

    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await waitUntil(
      () => statuses(setup.stack.runtime).alpha === "complete",
      NOTICE_MS,
      () => `status ${statuses(setup.stack.runtime).alpha}`,
    );
    await setup.memory.waitFor((sent) => sent.some((delivery) => /is complete/.test(delivery.reply.text)), NOTICE_MS);
  });

  it("a project folder replaced by a fresh copy (rm -rf, then re-created) is watched again", async () => {
    const setup = await running();
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, false]));
    await setup.stack.start();
    // Replace the workspace: a new folder renamed into place, as a re-clone would.
    const fresh = join(setup.workspaceDir, ".alpha.fresh");
    mkdirSync(join(fresh, "scripts", "ralph"), { recursive: true });
    rmSync(join(setup.workspaceDir, "alpha"), { recursive: true });
    renameSync(fresh, join(setup.workspaceDir, "alpha"));
    await sleep(SETTLE_MS);
    expect(statuses(setup.stack.runtime)).toEqual({ alpha: "idle" });

    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await waitUntil(
      () => statuses(setup.stack.runtime).alpha === "complete",
      NOTICE_MS,
      () => `status ${statuses(setup.stack.runtime).alpha}`,
    );
  });

  it("a workspace folder that disappears makes the project store-only; its last status is forgotten when the entry goes too", async () => {
    const setup = await running();
    writePrd(setup.workspaceDir, "alpha", prdWith("alpha", [true, true]));
    await setup.stack.start();
    expect(statuses(setup.stack.runtime)).toEqual({ alpha: "complete" });
    rmSync(join(setup.workspaceDir, "alpha"), { recursive: true });
    await waitUntil(() => statuses(setup.stack.runtime).alpha === "idle", NOTICE_MS);
    await setup.store.mutate((file) => {
      file.projects = [];
      return { ok: true };
    });
    await waitUntil(() => statuses(setup.stack.runtime).alpha === undefined, NOTICE_MS);
    await waitUntil(() => readNotificationState(setup.dataDir)?.last_status.alpha === undefined, NOTICE_MS);
    // Leaving complete for idle is no news.
    expect(setup.memory.sent).toEqual([]);
  });
});
