// A store write recycles the version it replaced as the next write's temp file (recycled-temp.ts): the new
// version lands in the old inode, cut to its own length, stamped with a time no earlier version has; a reader
// that cached that inode's earlier version still sees the new one; the spare is this process's own, so its
// sweep keeps it, and it goes when the writer exits or stays idle.
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sweepStaleTemps } from "../../src/projects/atomic-write.ts";
import { createLockedJsonFile } from "../../src/projects/locked-json-file.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore } from "../../src/projects/project-store.ts";
import { startStoreWorker } from "../helpers/store-worker-process.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(async () => {
  vi.useRealTimers();
  await temp.cleanup();
});

interface Note {
  text: string;
}

/** A locked JSON file of `{ text }` at `path`. */
function noteFile(path: string) {
  return createLockedJsonFile<Note>({
    path,
    parse: (value) =>
      typeof (value as Note)?.text === "string" ? { ok: true, data: value as Note } : { ok: false, problem: "no text" },
    empty: () => ({ text: "" }),
  });
}

async function write(file: ReturnType<typeof noteFile>, text: string) {
  const result = await file.mutate((data) => {
    data.text = text;
    return { ok: true };
  });
  expect(result.ok).toBe(true);
}

/** This process's spare and temp files beside `name` in `dir`. */
const ownFiles = (dir: string, name: string) =>
  readdirSync(dir).filter((entry) => entry.startsWith(`.${name}.${process.pid}.`));

describe("a store write recycles the version it replaced", () => {
  it("writes the next version into the replaced file's inode, with nothing of its older text left", async () => {
    const dir = await temp.make("recycle-inode-");
    const path = join(dir, "notes.json");
    const file = noteFile(path);
    await write(file, "first, and the longest text of the three");
    const first = statSync(path).ino;
    await write(file, "second");
    const second = statSync(path).ino;
    expect(second).not.toBe(first);
    // The first version was kept as the spare, and the third write went into it.
    expect(ownFiles(dir, "notes.json")).toHaveLength(1);
    await write(file, "third");
    expect(statSync(path).ino).toBe(first);
    // Nothing of the longer text it held is left past the new end.
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ text: "third" });
    expect(statSync(path).size).toBe(Buffer.byteLength(readFileSync(path, "utf8")));
    expect(readdirSync(dir).filter((entry) => entry.endsWith(".tmp"))).toEqual([]);
  });

  it("empties the recycled file before it waits for the lock, so the new text lands in new blocks", async () => {
    // Text written over a file's old blocks in place is not ordered before the rename the way new blocks are:
    // after a crash, the store could show the version the spare held before. So the spare is emptied first.
    const dir = await temp.make("recycle-emptied-");
    const path = join(dir, "notes.json");
    const file = noteFile(path);
    await write(file, "first");
    const first = statSync(path).ino;
    await write(file, "second");
    const lock = `${path}.lock`;
    mkdirSync(lock);
    const refresh = setInterval(() => utimesSync(lock, new Date(), new Date()), 500);
    try {
      const third = write(file, "third");
      const tempFile = () => readdirSync(dir).find((entry) => entry.endsWith(".tmp"));
      expect(await waitUntil(() => tempFile() !== undefined, 5_000)).toBe(true);
      const waiting = statSync(join(dir, tempFile()!));
      expect([waiting.ino, waiting.size]).toEqual([first, 0]);
      clearInterval(refresh);
      rmdirSync(lock);
      await third;
    } finally {
      clearInterval(refresh);
      rmSync(lock, { recursive: true, force: true });
    }
    expect(statSync(path).ino).toBe(first);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ text: "third" });
  });

  it("is seen by a reader that cached the same inode's earlier version, at the same size", async () => {
    const dir = await temp.make("recycle-reader-");
    // The writer reaches the file by another path, as another process would: this process's own writes of a
    // path count in its readers' cache signature, and that would hide what this test is about.
    const elsewhere = join(await temp.make("recycle-link-"), "data");
    symlinkSync(dir, elsewhere);
    const reader = noteFile(join(dir, "notes.json"));
    const writer = noteFile(join(elsewhere, "notes.json"));
    await write(writer, "version-0");
    const read0 = await reader.read();
    expect(read0.ok && read0.data.text).toBe("version-0");
    const cached = statSync(join(dir, "notes.json"), { bigint: true });
    // Two quick writes of the same length: the second lands in the inode the reader cached.
    await write(writer, "version-1");
    await write(writer, "version-2");
    const now = statSync(join(dir, "notes.json"), { bigint: true });
    expect([now.ino, now.size]).toEqual([cached.ino, cached.size]);
    expect(now.mtimeNs).not.toBe(cached.mtimeNs);
    const read2 = await reader.read();
    expect(read2.ok && read2.data.text).toBe("version-2");
  });

  it("gives every version a later modification time than the one before, however quick the writes", async () => {
    // The kernel's own timestamps may tick only every few milliseconds; the writer stamps each recycled
    // version itself, so a cache keyed on inode, size and times never takes one version for another.
    const dir = await temp.make("recycle-times-");
    const path = join(dir, "notes.json");
    const file = noteFile(path);
    const times: bigint[] = [];
    for (let index = 0; index < 20; index += 1) {
      await write(file, `version-${String(index).padStart(2, "0")}`);
      times.push(statSync(path, { bigint: true }).mtimeNs);
    }
    for (let index = 1; index < times.length; index += 1) expect(times[index]! > times[index - 1]!).toBe(true);
  });

  it("does not reuse a replaced version it may not rewrite (another user's), and writes a new file instead", async () => {
    const dir = await temp.make("recycle-foreign-");
    const path = join(dir, "notes.json");
    const file = noteFile(path);
    await write(file, "mine");
    // The version the next write replaces belongs to another user (as root), or is not writable (as anyone
    // else): either way this process may not rewrite it and stamp its time.
    if (process.getuid?.() === 0) chownSync(path, 65534, 65534);
    else chmodSync(path, 0o444);
    await write(file, "theirs replaced");
    await write(file, "and again");
    // A file of this process's own making, not the other one rewritten (its inode number may come back: the
    // other was just removed, and ext4 hands a freed number out again at once).
    const now = statSync(path);
    expect(now.uid).toBe(process.getuid?.());
    expect(now.mode & 0o777).toBe(0o644);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ text: "and again" });
    expect(readdirSync(dir).filter((entry) => entry.endsWith(".tmp"))).toEqual([]);
  });

  it("does not reuse a replaced version that has another name (a hard-linked backup keeps its text)", async () => {
    const dir = await temp.make("recycle-linked-");
    const path = join(dir, "notes.json");
    const file = noteFile(path);
    await write(file, "backed up");
    const backup = join(await temp.make("recycle-backup-"), "notes.json");
    linkSync(path, backup);
    await write(file, "after the backup");
    await write(file, "and again");
    expect(JSON.parse(readFileSync(backup, "utf8"))).toEqual({ text: "backed up" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ text: "and again" });
  });

  it("never writes through a replaced version that was a symbolic link", async () => {
    const dir = await temp.make("recycle-symlink-");
    const path = join(dir, "notes.json");
    const elsewhere = join(await temp.make("recycle-elsewhere-"), "notes.json");
    writeFileSync(elsewhere, '{"text": "kept elsewhere"}\n');
    symlinkSync(elsewhere, path);
    const file = noteFile(path);
    await write(file, "first");
    await write(file, "second");
    await write(file, "third");
    expect(readFileSync(elsewhere, "utf8")).toBe('{"text": "kept elsewhere"}\n');
    expect(lstatSync(path).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ text: "third" });
  });

  it("keeps the spare from this process's sweep, and removes it once no write came for a while", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const dir = await temp.make("recycle-idle-");
    const path = join(dir, "notes.json");
    const file = noteFile(path);
    await write(file, "one");
    await write(file, "two");
    const [spare] = ownFiles(dir, "notes.json");
    expect(spare).toMatch(/\.old$/);
    expect(await sweepStaleTemps(path)).toEqual([]);
    expect(ownFiles(dir, "notes.json")).toEqual([spare]);
    vi.advanceTimersByTime(10_000);
    // The removal itself is a real file-system call; waiting for it needs real timers again.
    vi.useRealTimers();
    expect(await waitUntil(() => ownFiles(dir, "notes.json").length === 0, 5_000)).toBe(true);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ text: "two" });
  });

  it("leaves no spare behind when the writing process exits", async () => {
    const dataDir = await temp.make("recycle-exit-");
    // Made here, as the file's first write: it replaces nothing, so this process keeps no spare.
    const store = createProjectStore({ dataDir, clock: systemClock });
    const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
    expect((await lifecycle.propose({ slug: "shared", description: "Updated by each worker" })).ok).toBe(true);
    for (let round = 0; round < 2; round += 1) {
      const worker = startStoreWorker({ dataDir, id: round, mode: "once" }, { reject: false });
      const result = await worker;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(String(result.stdout)).toContain('"type":"ok"');
    }
    expect(readdirSync(dataDir).filter((name) => name.endsWith(".old") || name.endsWith(".tmp"))).toEqual([]);
  });
});
