// The `deliver again:` line of `planbot projects show` for each reason delivering again cannot work now, over
// records read from a real store: the command where it can, the setting to change (the shell is the operator's),
// and where a queued run's commits are when its worker could not push them.
import { describe, expect, it } from "vitest";
import { deliverAgainHint } from "../../src/cli/deliver-again-hint.ts";
import { formatRecord } from "../../src/cli/projects-output.ts";
import type { DeliverySettings } from "../../src/config/delivery-settings.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createProjectLister, type ProjectRecord } from "../../src/projects/project-list.ts";
import type { DeliveryField } from "../../src/projects/schemas.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { prdWith, putEntry, writePrd } from "../helpers/notify-fixtures.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";
import { refusedPush } from "../helpers/refused-push.ts";

const { temp } = useCleanups();

const FAILED = refusedPush("2026-12-02T10:00:00.000Z");

async function recordWith(delivery: DeliveryField, status: string): Promise<ProjectRecord> {
  const { store, workspaceDir } = await notifyDirs(temp, "hint-");
  await putEntry(store, { name: "todo", status, branch: delivery.branch, delivery });
  writePrd(workspaceDir, "todo", prdWith("todo", [true, status === "complete"]));
  const got = await createProjectLister({ store, clock: systemClock, workspaceDir }).get("todo");
  if (!got.ok || !got.record) throw new Error("expected the record of todo");
  return got.record;
}

const config = (pushOn: DeliverySettings["pushOn"] | null, remote: boolean) => ({
  execute: {
    ralphCommand: "scripts/ralph/ralph.sh",
    parallel: 1,
    ...(remote ? { gitRemoteBase: "https://github.com/acme" } : {}),
    ...(pushOn ? { delivery: { pushOn, github: {} } } : {}),
  },
});

describe("planbot projects show: deliver again", () => {
  it("names the command where it can work, and the setting or the worker where it cannot", async () => {
    const complete = await recordWith(FAILED, "complete");
    expect(deliverAgainHint(complete, config("complete", true))).toBe("deliver again: planbot projects deliver todo");
    expect(deliverAgainHint(complete, config(null, true))).toBe(
      "deliver again: not while PUSH_ON is never (or unset); set PUSH_ON=complete (or any), then planbot projects deliver todo",
    );
    const failed = await recordWith(FAILED, "failed");
    expect(deliverAgainHint(failed, config("complete", true))).toBe(
      "deliver again: not under PUSH_ON=complete, which delivers complete runs only; set PUSH_ON=any, then planbot projects deliver todo, or run it again: planbot execute todo",
    );
    const onWorker = await recordWith({ ...FAILED, worker: "builder:4242" }, "complete");
    const hint = deliverAgainHint(onWorker, config("complete", true));
    expect(hint).toBe(
      "deliver again: not from here: the run's commits are in the workspace on worker builder:4242, which could not push them; push ralph/todo from there by hand and open its pull request on GitHub, or run the project again",
    );
    expect(formatRecord(onWorker, new Date(), hint)).toContain(`\n${hint}`);
    // A delivery that went well has nothing to say here.
    expect(
      deliverAgainHint(await recordWith({ ...FAILED, ok: true, pushed: true }, "complete"), config("complete", true)),
    ).toBeUndefined();
  });
});
