import { statfsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { fileSyncCoversRename } from "../../src/projects/rename-durability.ts";
import { TasksFileSchema } from "../../src/projects/schemas.ts";
import { repoRoot } from "../helpers/store-worker-process.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

/**
 * The store's fsyncs seen from outside: a real writer process (test/helpers/store-writes.ts) runs under
 * strace, whose `-y` names the file of each fsync, once in a folder on the machine's disk and once on tmpfs.
 */
const WRITES = 3;
const SLOW = { timeout: 60_000 };
const TMPFS = 0x01021994;
const temp = createTempDirs();
const shmDirs: string[] = [];
afterEach(async () => {
  await temp.cleanup();
  await Promise.all(shmDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs {@link WRITES} store writes in `dataDir` under strace; the paths of their fsync and fdatasync calls. */
async function fsyncedPaths(dataDir: string): Promise<string[]> {
  const trace = `${dataDir}.strace`;
  const writer = join(repoRoot, "test", "helpers", "store-writes.ts");
  const args = ["--data-dir", dataDir, "--writes", String(WRITES)];
  const run = await execa(
    "strace",
    ["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, "node", "--import", "tsx", writer, ...args],
    { cwd: repoRoot, reject: false, all: true, timeout: 50_000 },
  );
  expect(run.exitCode, run.all).toBe(0);
  const traced = await readFile(trace, "utf8");
  await rm(trace, { force: true });
  return traced.split("\n").flatMap((line) => {
    const match = /f(?:data)?sync\(\d+<([^>]*)>\)\s*=\s*0/.exec(line);
    return match?.[1]?.startsWith(dataDir) ? [match[1]] : [];
  });
}

/** What the writes left: the projects' names and the version. */
async function stored(dataDir: string) {
  const file = TasksFileSchema.parse(JSON.parse(await readFile(join(dataDir, "approved-tasks.json"), "utf8")));
  return { names: file.projects?.map((entry) => entry.name), version: file.version };
}

describe("the store's fsyncs per write", () => {
  it("knows which file systems make a rename durable with the renamed file's own fsync", () => {
    expect(fileSyncCoversRename(0xef53)).toBe(true); // ext4 (ext2 and ext3 share the number)
    expect(fileSyncCoversRename(0x58465342)).toBe(true); // XFS
    expect(fileSyncCoversRename(0x9123683e)).toBe(true); // btrfs
    expect(fileSyncCoversRename(TMPFS)).toBe(false);
    expect(fileSyncCoversRename(0x794c7630)).toBe(false); // overlayfs, as in many containers
    expect(fileSyncCoversRename(0x6969)).toBe(false); // NFS
  });

  it(
    "on the machine's disk: the new file is fsynced once per write, the folder only where its file system needs it",
    SLOW,
    async () => {
      const dataDir = await temp.make("fsync-disk-");
      const paths = await fsyncedPaths(dataDir);
      const coversRename = fileSyncCoversRename(statfsSync(dataDir).type);
      expect(paths.filter((path) => path === join(dataDir, "approved-tasks.json"))).toHaveLength(WRITES);
      expect(paths.filter((path) => path === dataDir)).toHaveLength(coversRename ? 0 : WRITES);
      expect(await stored(dataDir)).toEqual({ names: ["p0", "p1", "p2"], version: WRITES });
    },
  );

  it("on tmpfs, which makes no such promise, the folder is fsynced after every write too", SLOW, async () => {
    expect(statfsSync("/dev/shm").type, "this test needs /dev/shm to be tmpfs").toBe(TMPFS);
    const dataDir = await mkdtemp("/dev/shm/planbot-fsync-");
    shmDirs.push(dataDir);
    const paths = await fsyncedPaths(dataDir);
    expect(paths.filter((path) => path === join(dataDir, "approved-tasks.json"))).toHaveLength(WRITES);
    expect(paths.filter((path) => path === dataDir)).toHaveLength(WRITES);
    expect(await stored(dataDir)).toEqual({ names: ["p0", "p1", "p2"], version: WRITES });
  });
});
