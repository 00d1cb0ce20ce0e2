// The standalone chat's log file (src/cli/chat-log.ts over src/cli/rotating-log-file.ts) with real files:
// past its limit chat.log moves to chat.log.1 and a new one begins, no line is cut or lost on the way, only
// one old copy is kept, and two processes writing the same file at once leave whole lines only.
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { openChatLog } from "../../src/cli/chat-log.ts";
import { loadConfig } from "../../src/config.ts";
import { repoRoot } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

interface Line {
  writer?: string;
  n: number;
  msg: string;
}

/** The lines of a log file, each parsed: a cut or mixed line fails the parse. */
function linesOf(file: string): Line[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  expect(text === "" || text.endsWith("\n"), `${file} ends inside a line`).toBe(true);
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
}

async function chatLogIn(dir: string, limitBytes: number, format?: string) {
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dir, ...(format ? { LOG_FORMAT: format } : {}) }, dir);
  if (!loaded.ok) throw new Error(loaded.message);
  return openChatLog(loaded.config, {}, limitBytes);
}

describe("chat.log rotation", () => {
  it("moves chat.log to chat.log.1 past the limit and goes on in a new file, every line kept whole", async () => {
    const dir = await temp.make("chat-log-rotate-");
    const file = join(dir, "chat.log");
    const chatLog = await chatLogIn(dir, 8192);
    expect(chatLog.file).toBe(file);
    for (let n = 0; n < 60; n += 1) chatLog.log.info({ n, pad: "y".repeat(60) }, "a line");

    const old = linesOf(`${file}.1`);
    const current = linesOf(file);
    expect(old.length).toBeGreaterThan(0);
    expect(current.length).toBeGreaterThan(0);
    expect([...old, ...current].map((line) => line.n)).toEqual(Array.from({ length: 60 }, (_, n) => n));
    // It moved as soon as a line took it past the limit, and the new file is below it again.
    expect(statSync(`${file}.1`).size).toBeGreaterThanOrEqual(8192);
    expect(statSync(`${file}.1`).size).toBeLessThan(8192 + 200);
    expect(statSync(file).size).toBeLessThan(8192);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Only one old copy: the next rotation replaces chat.log.1.
    for (let n = 60; n < 120; n += 1) chatLog.log.info({ n, pad: "y".repeat(60) }, "a line");
    expect(existsSync(`${file}.2`)).toBe(false);
    const kept = [...linesOf(`${file}.1`), ...linesOf(file)].map((line) => line.n);
    expect(kept[0]).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: 120 - kept[0]! }, (_, index) => kept[0]! + index));
    expect(kept.at(-1)).toBe(119);
  });

  it("rotates readable (LOG_FORMAT=pretty) logs between lines too", async () => {
    const dir = await temp.make("chat-log-pretty-");
    const file = join(dir, "chat.log");
    const chatLog = await chatLogIn(dir, 2048, "pretty");
    for (let n = 0; n < 40; n += 1) chatLog.log.info(`pretty line ${n} ${"z".repeat(40)}`);
    // pino-pretty formats through a stream of its own: wait until the last line is through.
    const both = () => `${readFileSync(`${file}.1`, "utf8")}${readFileSync(file, "utf8")}`;
    expect(await waitUntil(() => both().includes("pretty line 39 "), 10_000)).toBe(true);
    const text = both();
    const numbers = [...text.matchAll(/pretty line (\d+) z{40}\n/g)].map((match) => Number(match[1]));
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(text.split("\n").filter(Boolean)).toHaveLength(40);
  });

  it("a rotation lock left by a planbot that died is taken over; one another writer holds is waited out", async () => {
    const dir = await temp.make("chat-log-lock-");
    const file = join(dir, "chat.log");
    const lock = `${file}.lock`;
    writeFileSync(lock, "");
    const chatLog = await chatLogIn(dir, 1024);
    for (let n = 0; n < 20; n += 1) chatLog.log.info({ n, pad: "y".repeat(60) }, "a line");
    // Held right now: no rotation yet, and nothing lost meanwhile.
    expect(existsSync(`${file}.1`)).toBe(false);
    expect(linesOf(file).map((line) => line.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));

    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    chatLog.log.info({ n: 20 }, "a line");
    expect(linesOf(`${file}.1`).map((line) => line.n)).toEqual(Array.from({ length: 21 }, (_, n) => n));
    expect(existsSync(lock)).toBe(false);
  });

  it("two processes logging to one chat.log at once leave whole lines, each writer's in order, none lost", async () => {
    const dir = await temp.make("chat-log-two-");
    const file = join(dir, "chat.log");
    const count = 500;
    // About 200 KB in all over a limit of 150 KB: exactly one rotation, so every line is still on disk.
    const writers = ["a", "b"].map((writer) =>
      execa(
        "node",
        [
          "--import",
          "tsx",
          join(repoRoot, "test", "helpers", "chat-log-writer.ts"),
          dir,
          writer,
          String(count),
          String(150_000),
        ],
        { cwd: repoRoot, timeout: 60_000, stdin: "pipe" },
      ),
    );
    let ready = 0;
    for (const writer of writers) writer.stdout!.on("data", () => (ready += 1));
    expect(await waitUntil(() => ready === 2, 30_000)).toBe(true);
    for (const writer of writers) writer.stdin!.end("go\n");
    await Promise.all(writers);

    const lines = [...linesOf(`${file}.1`), ...linesOf(file)];
    expect(linesOf(`${file}.1`).length).toBeGreaterThan(0);
    for (const writer of ["a", "b"])
      expect(lines.filter((line) => line.writer === writer).map((line) => line.n)).toEqual(
        Array.from({ length: count }, (_, n) => n),
      );
    expect(lines).toHaveLength(2 * count);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
