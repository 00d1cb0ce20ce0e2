// The folder fsync's timing rules (src/projects/folder-sync.ts), through a recording fsync; the real fsync is
// what every store test runs through.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syncFolderSync } from "../../src/projects/atomic-write.ts";
import { createFolderSyncer } from "../../src/projects/folder-sync.ts";

function recorder(fail?: () => Error | undefined) {
  const calls: string[] = [];
  const sync = (folder: string) => {
    const error = fail?.();
    if (error) throw error;
    calls.push(folder);
  };
  return { calls, sync };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("folder fsync after a store write", () => {
  it("with a window of 0 the folder is fsynced before the write is acknowledged", () => {
    const { calls, sync } = recorder();
    const syncer = createFolderSyncer(() => 0, sync);
    syncer.afterWrite("/data");
    expect(calls).toEqual(["/data"]);
    syncer.afterWrite("/data");
    expect(calls).toEqual(["/data", "/data"]);
  });

  it("with a window, writes in one folder share one fsync, made within the window", async () => {
    const { calls, sync } = recorder();
    const syncer = createFolderSyncer(() => 30, sync);
    syncer.afterWrite("/data");
    syncer.afterWrite("/data");
    syncer.afterWrite("/other");
    expect(calls).toEqual([]);
    await until(() => calls.length === 2);
    expect(calls.sort()).toEqual(["/data", "/other"]);
    // The next write after the fsync schedules a new one.
    syncer.afterWrite("/data");
    await until(() => calls.length === 3);
    expect(calls[2]).toBe("/data");
  });

  it("flush (at exit) makes every pending fsync at once", () => {
    const { calls, sync } = recorder();
    const syncer = createFolderSyncer(() => 60_000, sync);
    syncer.afterWrite("/data");
    syncer.flush();
    expect(calls).toEqual(["/data"]);
    syncer.flush();
    expect(calls).toEqual(["/data"]);
  });

  it("a scheduled fsync that failed is reported by the next write to that folder, once", async () => {
    let failing = true;
    const { calls, sync } = recorder(() => (failing ? new Error("EIO: i/o error, fsync") : undefined));
    const syncer = createFolderSyncer(() => 10, sync);
    syncer.afterWrite("/data");
    await new Promise((resolve) => setTimeout(resolve, 40));
    failing = false;
    expect(() => syncer.afterWrite("/data")).toThrow("EIO");
    expect(() => syncer.afterWrite("/data")).not.toThrow();
    await until(() => calls.length === 1);
    expect(calls).toEqual(["/data"]);
  });

  it("the real fsync works on a folder and names a missing one", () => {
    const folder = mkdtempSync(join(tmpdir(), "folder-sync-"));
    try {
      expect(() => syncFolderSync(folder)).not.toThrow();
      expect(() => syncFolderSync(join(folder, "gone"))).toThrow(/ENOENT/);
    } finally {
      rmSync(folder, { recursive: true });
    }
  });
});
