// The store reader's cache (src/projects/json-file-reader.ts) must never take a new file for the one it
// parsed. Files are replaced by rename, and a freed inode number is handed out again at once on ext4, so two
// quick replacements can put a file at the cached inode number, with the same size, in the same timestamp
// tick: a signature made of the stat alone then matches. The reader keeps the parsed file open, so its
// number cannot come back while it is cached; every round here replaces the file twice, as fast as it can.
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createJsonFileReader } from "../../src/projects/json-file-reader.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

/** `{"n":…}` padded to one fixed size, so every version has the same length. */
function version(n: number): string {
  return `${JSON.stringify({ n }).padEnd(40, " ")}\n`;
}

describe("the store reader's cache", () => {
  it("serves the newest file after two quick replacements, even where one reuses the cached inode number", async () => {
    const dir = await temp.make("reader-cache-");
    const path = join(dir, "store.json");
    const replace = (n: number) => {
      writeFileSync(join(dir, "next.tmp"), version(n));
      renameSync(join(dir, "next.tmp"), path);
    };
    replace(0);
    const reader = createJsonFileReader<{ n: number }>({
      path,
      parse: (value) => ({ ok: true, data: value as { n: number } }),
      empty: () => ({ n: -1 }),
      localWrites: () => 0,
    });
    let reused = 0;
    for (let round = 1; round <= 300; round += 1) {
      const cached = reader.load();
      expect(cached.ok && cached.data.n).toBe(2 * round - 2);
      const cachedInode = statSync(path).ino;
      replace(2 * round - 1);
      replace(2 * round);
      if (statSync(path).ino === cachedInode) reused += 1;
      const loaded = reader.load();
      expect(loaded.ok && loaded.data.n, `round ${round}`).toBe(2 * round);
      expect(JSON.parse(readFileSync(path, "utf8")).n).toBe(2 * round);
    }
    // While the reader holds the parsed file open, its inode number is never handed to a new file.
    expect(reused).toBe(0);
  });
});
