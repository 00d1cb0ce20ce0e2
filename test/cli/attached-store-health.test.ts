// Terminals attached to `planbot start` (its log in another window, or in a service's journal) hear when the
// project store cannot be read and when it can again, as a standalone chat's own terminal does: the person at
// an attached terminal is the server's operator, the one who can fix the file. Through the real `bin/planbot`.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const BROKEN = "planbot cannot read its project store, so no project can change until it is fixed:";
const READABLE = "planbot can read its project store again.";

/** A piped `planbot chat` attached to the running planbot of `env`'s data dir; `said()` is what it printed. */
function attach(root: string, env: Record<string, string | undefined>) {
  const child = execa(planbotBin, ["chat"], { cwd: root, env, extendEnv: false, reject: false, stdin: "pipe" });
  defer(() => killAndWait(child));
  let said = "";
  child.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
  const until = async (text: string) => expect(await waitUntil(() => said.includes(text), 60_000), said).toBe(true);
  return { child, said: () => said, until };
}

describe("terminals attached to planbot start", { timeout: 120_000 }, () => {
  it("hear that the store cannot be read, with the file, at once when attaching then, and when it is readable again", async () => {
    const root = await temp.make("attached-store-");
    const dataDir = join(root, "data");
    const store = join(dataDir, TASKS_FILE_NAME);
    await mkdir(dataDir, { recursive: true });
    const env = { ...baseEnv, PLANBOT_DATA_DIR: dataDir, DASHBOARD_PORT: "0" };
    const start = execa(planbotBin, ["start"], { cwd: root, env, extendEnv: false, reject: false });
    defer(() => killAndWait(start));
    let logged = "";
    start.stderr!.on("data", (chunk: Buffer) => (logged += chunk.toString("utf8")));
    expect(await waitUntil(() => logged.includes("planbot started"), 60_000), logged).toBe(true);

    const first = attach(root, env);
    first.child.stdin!.write("/whoami\n");
    await first.until("You are ");
    expect(first.said()).not.toContain(BROKEN);

    await writeFile(store, "{ broken");
    await first.until(BROKEN);
    expect(first.said()).toContain(`${store} cannot be read: not valid JSON`);

    // Attaching while it is broken: told at once, before typing anything.
    const second = attach(root, env);
    await second.until(BROKEN);

    await rm(store);
    await first.until(READABLE);
    await second.until(READABLE);
    // Each word once: neither attached terminal heard the news twice.
    for (const terminal of [first, second]) {
      expect(terminal.said().split(BROKEN)).toHaveLength(2);
      expect(terminal.said().split(READABLE)).toHaveLength(2);
    }
    for (const terminal of [first, second]) {
      terminal.child.stdin!.end();
      expect((await terminal.child).exitCode).toBe(0);
    }
    start.kill("SIGTERM");
    expect((await start).exitCode).toBe(0);
  });
});
