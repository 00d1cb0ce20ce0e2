// When the store reader lets go of the file it had pinned and that file has no name left, the close frees
// it (inode and blocks): under the lock that step must wait for the writer to let go, and the writer then
// does it on its own thread (src/projects/json-file-reader.ts, `remember`). Seen here through /proc: a pinned
// file that was replaced shows as "<path> (deleted)" among this process's descriptors until it is closed.
import { readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createJsonFileReader } from "../../src/projects/json-file-reader.ts";
import { createLockedJsonFile } from "../../src/projects/locked-json-file.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

/** The access modes (O_ACCMODE of /proc's fdinfo flags: 0 read, 1 write, 2 both) of this process's descriptors on `path`. */
function accessModesOn(path: string): number[] {
  const modes: number[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== path) continue;
      const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
      modes.push(Number.parseInt(flags ?? "-1", 8) & 3);
    } catch {
      // Closed while listing (the listing's own descriptor).
    }
  }
  return modes;
}

/** This process's descriptors open on a removed `path`. */
function openRemoved(path: string): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `${path} (deleted)`) count += 1;
    } catch {
      // Closed while listing (the listing's own descriptor).
    }
  }
  return count;
}

async function setup() {
  const dir = await temp.make("reader-pins-");
  const path = join(dir, "store.json");
  const replace = (n: number) => {
    writeFileSync(join(dir, "next.tmp"), `${JSON.stringify({ n })}\n`);
    renameSync(join(dir, "next.tmp"), path);
  };
  replace(1);
  const reader = createJsonFileReader<{ n: number }>({
    path,
    parse: (value) => ({ ok: true, data: value as { n: number } }),
    empty: () => ({ n: 0 }),
    localWrites: () => 0,
  });
  return { path, replace, reader };
}

describe("the store reader's pins of replaced files", () => {
  it("keeps a freed file open through a locked load, until the writer closes it after the lock", async () => {
    const { path, replace, reader } = await setup();
    expect(reader.load()).toMatchObject({ ok: true, data: { n: 1 } });
    replace(2);
    expect(openRemoved(path)).toBe(1);

    expect(reader.loadLocked()).toMatchObject({ ok: true, data: { n: 2 }, cached: false });
    // The new file is pinned now; the old one is still open, its freeing left for after the lock.
    expect(openRemoved(path)).toBe(1);
    reader.closeFreedPins();
    expect(openRemoved(path)).toBe(0);
    // Nothing left to close, and the cache still serves the file it read.
    reader.closeFreedPins();
    expect(reader.load()).toMatchObject({ ok: true, data: { n: 2 }, cached: true });
  });

  it("hands a freed file's close to the thread pool on an ordinary load, without waiting for it", async () => {
    const { path, replace, reader } = await setup();
    expect(reader.load()).toMatchObject({ ok: true, data: { n: 1 } });
    replace(2);
    expect(reader.load()).toMatchObject({ ok: true, data: { n: 2 }, cached: false });
    await expect.poll(() => openRemoved(path)).toBe(0);
  });

  it("closes a pin whose file still has a name at once, locked or not", async () => {
    const { path, reader } = await setup();
    expect(reader.loadLocked()).toMatchObject({ ok: true, data: { n: 1 } });
    expect(reader.loadLocked()).toMatchObject({ ok: true, data: { n: 1 }, cached: false });
    const named = readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
    // Only the current pin: the one it replaced was closed by the load itself, nothing waits for the writer.
    expect(named).toHaveLength(1);
  });

  it("after its own writes keeps one descriptor on the store, read-only, and sees another process's change", async () => {
    const dir = await temp.make("reader-pins-");
    const path = join(dir, "store.json");
    const file = createLockedJsonFile<{ n: number }>({
      path,
      parse: (value) => ({ ok: true, data: value as { n: number } }),
      empty: () => ({ n: 0 }),
    });
    for (let n = 1; n <= 20; n += 1) {
      const written = await file.mutate((data) => {
        data.n = n;
        return { ok: true, value: n };
      });
      expect(written).toMatchObject({ ok: true, value: n });
      expect(await file.read()).toEqual({ ok: true, data: { n } });
      // One pin, open for reading only: a descriptor held open for writing would keep the file system
      // from being remounted read-only.
      expect(accessModesOn(path)).toEqual([0]);
    }
    // Every replaced version was closed: none of them is held open without a name.
    await expect.poll(() => openRemoved(path)).toBe(0);
    // A change made by someone else is seen, not the kept copy.
    writeFileSync(join(dir, "next.tmp"), `${JSON.stringify({ n: 99 })}\n`);
    renameSync(join(dir, "next.tmp"), path);
    expect(await file.read()).toEqual({ ok: true, data: { n: 99 } });
  });
});
