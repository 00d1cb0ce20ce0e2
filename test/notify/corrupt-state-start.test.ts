// A corrupt notifications.json at start-up, through a real `bin/planbot start` child process: planbot
// keeps running (dashboard up, projects usable), reports the file in one log line without a stack trace,
// leaves the file byte for byte, does not replay the outbox, and stops cleanly on SIGTERM.
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";
import { waitUntil } from "../helpers/processes.ts";
import { baseEnv, planbotBin as bin } from "../helpers/planbot-child.ts";

/** A `planbot start` still running when a test ends (it failed or timed out) is killed before its folder goes. */
const { temp, defer } = useCleanups();

const CORRUPT = [
  ["truncated JSON", '{"initialized": true, "last_status": {"alpha": "pending"}, "outbox": [{"id": "x", "sl'],
  ["wrong shape", '{"initialized": "yes", "last_status": [], "outbox": {}}\n'],
] as const;

describe("planbot start with a corrupt notifications.json", { timeout: 180_000 }, () => {
  it.each(CORRUPT)("%s: runs on, one line names the file, no stack trace, the file is kept", async (_name, text) => {
    const root = await temp.make("notify-corrupt-");
    const dataDir = join(root, "data");
    await mkdir(dataDir, { recursive: true });
    const stateFile = join(dataDir, "notifications.json");
    await writeFile(stateFile, text);
    const child = execa(bin, ["start"], {
      cwd: root,
      env: { ...baseEnv, PLANBOT_DATA_DIR: dataDir, DASHBOARD_PORT: "0", TELEGRAM_NOTIFY_CHAT_ID: "42" },
      extendEnv: false,
      reject: false,
      timeout: 150_000,
    });
    defer(() => killAndWait(child));
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const lines = () =>
      stderr
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = await waitUntil(() => /"planbot started"/.test(stderr) || child.exitCode !== null, 120_000);
    expect(started).toBe(true);
    expect(child.exitCode, stderr).toBeNull();

    const reports = lines().filter((line) => String(line.msg).includes("notifications.json"));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      level: "error",
      code: "store_corrupt",
      file: stateFile,
      msg: expect.stringMatching(
        /^notifications are off: .*notifications\.json cannot be read: .*fix or move the file/,
      ),
    });
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toMatch(/"stack"/);

    // The dashboard answers while notifications are off.
    const url = String(lines().find((line) => line.msg === "dashboard listening")?.url);
    const response = await fetch(`${url}api/projects`);
    expect(response.status).toBe(200);

    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(await readFile(stateFile, "utf8")).toBe(text);
  });
});
