/**
 * "Ralph started" rests on the status the change watcher derives from Ralph's PID, and Ralph's PID changes
 * program twice right after planbot records it: the gate `exec`s ralph.sh, whose shebang `exec`s bash.
 * Neither is a file event. While a process is inside execve, /proc/<pid>/cmdline reads empty (the kernel
 * has swapped in the new program but not yet its arguments); the mission test's "Ralph started" went
 * missing when the watcher looked at that instant, read running-manual, and nothing ever made it look again.
 * These tests use real processes whose command line reads exactly that way, and one that really execs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectStatus } from "../../src/projects/derive-status.ts";
import {
  createNotifyStack,
  createRecordingOutbound,
  prdWith,
  putEntry,
  readNotificationState,
  statuses,
  waitUntil,
  writePrd,
} from "../helpers/notify-fixtures.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { killGroup, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

/** A bound for waiting on a loaded machine; the watcher's PID probe runs every second. */
const WAIT_MS = 15_000;
const STARTED = /^Ralph started on \*\*alpha\*\*/;

/** An approved project with a plan, and the notifier already started (its statuses recorded). */
async function approvedProject() {
  const { root, dataDir, workspaceDir, store } = await notifyDirs(temp, "ralph-exec-");
  await putEntry(store, { name: "alpha", status: "approved" });
  writePrd(workspaceDir, "alpha", prdWith("alpha", [false, false]));
  const memory = createRecordingOutbound();
  const stack = createNotifyStack({ root, dataDir, memory });
  defer(() => stack.stop());
  const published: ProjectStatus[] = [];
  stack.runtime.watcher.subscribe((change) => {
    for (const item of change.changed) if (item.slug === "alpha" && item.after) published.push(item.after.status);
  });
  await stack.start();
  expect(statuses(stack.runtime)).toEqual({ alpha: "approved" });
  const started = () => memory.sent.filter((delivery) => STARTED.test(delivery.reply.text));
  return { root, dataDir, store, stack, published, started, memory };
}

/** Starts `command` in its own process group (killed after the test). */
function startGroup(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: ["pipe", "ignore", "ignore"], env });
  defer(() => killGroup(child));
  return child;
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return undefined;
  }
};

describe("a recorded Ralph seen between two programs", () => {
  it("whose command line reads empty (as inside execve) is running-ralph: 'Ralph started' is sent, running-manual never published", async () => {
    const project = await approvedProject();
    // `cat` with an empty argv[0] and no arguments: /proc/<pid>/cmdline is one NUL, as during an exec.
    const ralph = startGroup("bash", ["-c", 'exec -a "" cat']);
    await waitUntil(
      () => commandLine(ralph.pid!) === "\0",
      WAIT_MS,
      () => `cmdline ${commandLine(ralph.pid!)}`,
    );

    // What the executor records before it releases Ralph from its gate.
    await putEntry(project.store, { name: "alpha", status: "running", pid: ralph.pid! });
    await project.memory.waitFor((sent) => sent.some((delivery) => STARTED.test(delivery.reply.text)), WAIT_MS);

    expect(statuses(project.stack.runtime)).toEqual({ alpha: "running-ralph" });
    expect(project.published).toEqual(["approved", "running-ralph"]);
    expect(project.started()).toHaveLength(1);
    expect(readNotificationState(project.dataDir)?.last_status.alpha).toBe("running-ralph");
  });

  it("a recorded PID that execs ralph.sh later, with no file event, is seen by the PID probe and announced then", async () => {
    const project = await approvedProject();
    const script = join(project.root, "ralph.sh");
    writeFileSync(script, "#!/bin/sh\nsleep 60\n");
    chmodSync(script, 0o755);
    const go = join(project.root, "go");
    // Its command line names neither file until it execs: `sh -c <loop>` with both paths in its environment.
    const ralph = startGroup("sh", ["-c", 'while [ ! -e "$GO" ]; do sleep 0.01; done; exec "$RALPH"'], {
      ...process.env,
      GO: go,
      RALPH: script,
    });
    await waitUntil(() => commandLine(ralph.pid!)?.startsWith("sh\0-c\0") === true, WAIT_MS);

    await putEntry(project.store, { name: "alpha", status: "running", pid: ralph.pid! });
    await waitUntil(
      () => statuses(project.stack.runtime).alpha === "running-manual",
      WAIT_MS,
      () => `status ${statuses(project.stack.runtime).alpha}`,
    );
    expect(project.started()).toHaveLength(0);

    // The gate file is outside the data and workspace folders: the exec is the only change.
    writeFileSync(go, "");
    await project.memory.waitFor((sent) => sent.some((delivery) => STARTED.test(delivery.reply.text)), WAIT_MS);
    expect(commandLine(ralph.pid!)).toContain("ralph.sh");
    expect(statuses(project.stack.runtime)).toEqual({ alpha: "running-ralph" });
    expect(project.published).toEqual(["approved", "running-manual", "running-ralph"]);
    expect(project.started()).toHaveLength(1);
  });
});
