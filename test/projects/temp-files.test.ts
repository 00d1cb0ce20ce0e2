// Temp files of the store never leak, through real `bin/planbot projects propose` child processes:
// a write that fails because the disk is full (a 64 KiB tmpfs when the tests run as root, else the
// disk-full fault preload) removes its temp file and leaves the store as it was; the temp file of a writer
// stopped mid-write by the file-size limit (`ulimit -f`) is removed at once, and the temp file of a writer whose
// PID is dead or that is too old is swept by the next write.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, utimesSync } from "node:fs";
import { appendFile, mkdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { baseEnv, planbotBin as bin, repoRoot } from "../helpers/planbot-child.ts";

const diskFullPreload = join(repoRoot, "test", "helpers", "disk-full-preload.mjs");
const temp = createTempDirs();
const mounts: string[] = [];
afterEach(async () => {
  for (const mount of mounts.splice(0)) spawnSync("umount", [mount]);
  await temp.cleanup();
});

const SLOW = { timeout: 180_000 };
const LONG = "A project with a long description, so that the store spans several pages. ".repeat(25);

/** `bin/planbot projects propose <slug> <description>`, optionally under `ulimit -f <blocks>` (512-byte blocks). */
function propose(dataDir: string, slug: string, extraEnv: Record<string, string> = {}, fileSizeBlocks?: number) {
  const args = ["projects", "propose", slug, LONG];
  const env = { ...baseEnv, PLANBOT_DATA_DIR: dataDir, ...extraEnv };
  const options = { cwd: dataDir, env, extendEnv: false, reject: false, timeout: 120_000 } as const;
  if (fileSizeBlocks === undefined) return execa(bin, args, options);
  return execa("/bin/sh", ["-c", `ulimit -f ${fileSizeBlocks} && exec "$0" "$@"`, bin, ...args], options);
}

const temps = (dataDir: string) => readdirSync(dataDir).filter((name) => name.endsWith(".tmp"));

/** Proposes `count` projects with long descriptions; the store is then several KiB. */
async function seed(dataDir: string, count: number) {
  await mkdir(dataDir, { recursive: true });
  for (let index = 0; index < count; index += 1) {
    const result = await propose(dataDir, `seed-${index}`);
    expect(result.exitCode, result.stderr).toBe(0);
  }
}

/** A 64 KiB tmpfs, when this process may mount one (root); undefined otherwise. */
async function smallDisk(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const dir = await temp.make("tmpfs-");
  if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]).status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

describe("a write that fails removes its temp file and keeps the store", () => {
  it(
    "the disk is full (ENOSPC on a 64 KiB tmpfs as root, else through the disk-full fault preload): clear error, no temp file, store unchanged",
    SLOW,
    async () => {
      const disk = await smallDisk();
      const dataDir = join(disk ?? (await temp.make("enospc-")), "data");
      await seed(dataDir, 4);
      const before = await readFile(join(dataDir, TASKS_FILE_NAME), "utf8");
      expect(before.length).toBeGreaterThan(8192);
      let failed;
      if (disk) {
        // Fill the disk, then free one page: the temp file gets created and its first page written.
        const filler = join(disk, "filler");
        await writeFile(filler, "");
        for (;;) {
          try {
            await appendFile(filler, Buffer.alloc(4096, 120));
          } catch {
            break;
          }
        }
        await truncate(filler, Math.max(0, statSync(filler).size - 4096));
        failed = await propose(dataDir, "beta");
        await rm(filler);
      } else {
        failed = await propose(dataDir, "beta", { NODE_OPTIONS: `--import ${diskFullPreload}` });
      }
      expect(failed.exitCode).not.toBe(0);
      expect(failed.stderr).toMatch(/Could not write .*approved-tasks\.json: ENOSPC: no space left on device/);
      expect(failed.stderr).toMatch(/Nothing was changed; free some disk space/);
      expect(failed.stderr).not.toMatch(/\n\s+at /);
      expect(temps(dataDir)).toEqual([]);
      expect(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")).toBe(before);

      const retried = await propose(dataDir, "beta");
      expect(retried.exitCode, retried.stderr).toBe(0);
    },
  );

  it(
    "a write past the file-size limit (`ulimit -f`) fails, leaves no temp file and the store as it was; the next write makes the store whole",
    SLOW,
    async () => {
      const dataDir = join(await temp.make("killed-"), "data");
      await seed(dataDir, 4);
      const before = await readFile(join(dataDir, TASKS_FILE_NAME), "utf8");
      // 16 blocks = 8 KiB: the temp file is created and half written when the write is refused with EFBIG
      // (the process may then also get SIGXFSZ on its way out, after it removed the temp file).
      const refused = await propose(dataDir, "beta", {}, 16);
      expect(refused.exitCode === 0).toBe(false);
      expect(temps(dataDir)).toEqual([]);
      expect(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")).toBe(before);

      const next = await propose(dataDir, "gamma");
      expect(next.exitCode, next.stderr).toBe(0);
      expect(temps(dataDir)).toEqual([]);
      const names = (
        JSON.parse(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")) as { projects: Array<{ name: string }> }
      ).projects.map((entry) => entry.name);
      expect(names).toEqual(["seed-0", "seed-1", "seed-2", "seed-3", "gamma"]);
    },
  );
});

describe("temp files of writers that died are swept by the next write", () => {
  it(
    "dead PID or older than 10 minutes: removed; a live writer's fresh one and other files' are kept",
    SLOW,
    async () => {
      const dataDir = join(await temp.make("sweep-"), "data");
      await seed(dataDir, 1);
      // A PID that is certainly dead: a child that has exited.
      const deadPid = spawnSync("true").pid!;
      const livePid = process.pid;
      const names = {
        dead: `.${TASKS_FILE_NAME}.${deadPid}.0badc0de.tmp`,
        old: `.${TASKS_FILE_NAME}.${livePid}.00000001.tmp`,
        live: `.${TASKS_FILE_NAME}.${livePid}.00000002.tmp`,
        otherFile: `.notifications.json.${deadPid}.00000003.tmp`,
        lookalike: `.${TASKS_FILE_NAME}.backup.tmp`,
        // The second name a writer gives the file it replaces, left behind when it died before removing it.
        deadSuperseded: `.${TASKS_FILE_NAME}.${deadPid}.0badc0df.old`,
        liveSuperseded: `.${TASKS_FILE_NAME}.${livePid}.00000004.old`,
      };
      for (const name of Object.values(names)) await writeFile(join(dataDir, name), '{"partial": ');
      // Lock folders a writer moved aside to release them, and died before removing: in the folder for them,
      // and beside the file, where earlier versions left them.
      const releasedAside = `${TASKS_FILE_NAME}.lock.released.${deadPid}.0badc0e0`;
      const releasedFolder = join(dataDir, `.${TASKS_FILE_NAME}.lock.released`);
      await mkdir(join(dataDir, releasedAside));
      await mkdir(join(releasedFolder, `${TASKS_FILE_NAME}.lock.released.${deadPid}.0badc0e1`), { recursive: true });
      const hourAgo = new Date(Date.now() - 3600_000);
      utimesSync(join(dataDir, names.old), hourAgo, hourAgo);

      const result = await propose(dataDir, "beta");
      expect(result.exitCode, result.stderr).toBe(0);
      expect(temps(dataDir).sort()).toEqual([names.live, names.otherFile, names.lookalike].sort());
      expect(readdirSync(dataDir).filter((name) => name.endsWith(".old"))).toEqual([names.liveSuperseded]);
      // The write's own released lock went there too, and was removed.
      expect(readdirSync(dataDir).filter((name) => name.includes(".lock"))).toEqual([basename(releasedFolder)]);
      expect(readdirSync(releasedFolder)).toEqual([]);
    },
  );
});
